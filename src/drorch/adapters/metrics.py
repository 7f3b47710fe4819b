"""Prometheus metrics of one process: its own registry, fed by hooks, plus store figures.

Counters and histograms are fed as things happen (API requests, AWS calls, launches that
end); executions per status and the engine queue are read from the store at scrape time,
so they are right whichever process (API, worker) changed them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector

from drorch.domain.executions import Execution, ServerRun
from drorch.ports.metrics import StoreFigures

API_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# DRS launches take minutes (snapshot, conversion, boot), sandbox ones seconds.
LAUNCH_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 7200)
LAUNCH_ENDS = frozenset({"LAUNCHED", "FAILED"})
TERMINAL = frozenset({"COMPLETED", "PARTIAL", "FAILED", "CANCELLED"})


class Metrics:
    """The process's metrics; implements the EngineObserver and AwsCallSink ports."""

    def __init__(self, figures: StoreFigures | None, now: Callable[[], datetime]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.api_latency = Histogram(
            "drorch_api_request_duration_seconds",
            "API requests by method, route template and status.",
            ["method", "route", "status"],
            buckets=API_BUCKETS,
            registry=r,
        )
        self.aws_calls = Counter(
            "drorch_aws_calls",
            "AWS API calls (after retries).",
            ["service", "operation"],
            registry=r,
        )
        self.aws_errors = Counter(
            "drorch_aws_call_errors",
            "AWS API calls that ended in an error, by error code.",
            ["service", "operation", "code"],
            registry=r,
        )
        self.aws_throttles = Counter(
            "drorch_aws_throttles",
            "Throttled AWS attempts (each one, retried or not).",
            ["service", "operation"],
            registry=r,
        )
        self.launch_seconds = Histogram(
            "drorch_launch_duration_seconds",
            "From a server's launch request to LAUNCHED or FAILED.",
            ["type", "outcome"],
            buckets=LAUNCH_BUCKETS,
            registry=r,
        )
        self.finished = Counter(
            "drorch_executions_finished",
            "Executions this process saw end, by type and final status.",
            ["type", "status"],
            registry=r,
        )
        self.stuck = Gauge(
            "drorch_stuck_executions",
            "Executions stuck at the last check (no progress past the doctor's bounds).",
            registry=r,
        )
        if figures is not None:
            r.register(_StoreCollector(figures, now))

    def render(self) -> tuple[bytes, str]:
        """The exposition text and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST

    def request(self, method: str, route: str, status: int, seconds: float) -> None:
        """One API request answered."""
        self.api_latency.labels(method, route, str(status)).observe(seconds)

    def aws_call(self, service: str, operation: str, error: str | None) -> None:
        """One AWS call ended (error: its code, or None)."""
        self.aws_calls.labels(service, operation).inc()
        if error:
            self.aws_errors.labels(service, operation, error).inc()

    def aws_throttled(self, service: str, operation: str) -> None:
        """One AWS attempt was throttled."""
        self.aws_throttles.labels(service, operation).inc()

    def advanced(self, before: Execution, after: Execution) -> None:
        """Launches that ended and executions that finished in one stored advance."""
        # A launch ends when its end time is first recorded (the status may come earlier).
        for server in _ended(before, after):
            if server.launch_status in LAUNCH_ENDS and server.started_at:
                seconds = (server.ended_at - server.started_at).total_seconds()  # type: ignore[operator]
                self.launch_seconds.labels(after.type, server.launch_status).observe(seconds)
        if after.status in TERMINAL and before.status != after.status:
            self.finished.labels(after.type, after.status).inc()


def _ended(before: Execution, after: Execution) -> Iterator[ServerRun]:
    """Servers whose end time this advance recorded (same waves and places before and after)."""
    # The engine's working copies share every server a pass left alone: skip those at once.
    for old_wave, new_wave in zip(before.waves, after.waves, strict=False):
        if old_wave.servers is new_wave.servers:
            continue
        for old, new in zip(old_wave.servers, new_wave.servers, strict=False):
            if old is not new and old.ended_at is None and new.ended_at is not None:
                yield new


class _StoreCollector(Collector):
    """Executions per type and status, and the engine's queue, read at scrape time."""

    def __init__(self, figures: StoreFigures, now: Callable[[], datetime]) -> None:
        self._figures = figures
        self._now = now

    def collect(self) -> Iterator[Metric]:
        """The gauges, from one look at the store."""
        executions = GaugeMetricFamily(
            "drorch_executions", "Executions by type and status.", labels=["type", "status"]
        )
        for (kind, status), count in sorted(self._figures.execution_counts().items()):
            executions.add_metric([kind, status], count)
        yield executions
        now = self._now()
        queue = self._figures.engine_queue(now)
        yield GaugeMetricFamily(
            "drorch_engine_queue_depth",
            "Executions due for an advance that no worker has claimed yet.",
            value=queue.due,
        )
        yield GaugeMetricFamily(
            "drorch_engine_leased", "Executions a worker is advancing now.", value=queue.leased
        )
        lag = (now - queue.oldest_due_at).total_seconds() if queue.oldest_due_at else 0.0
        yield GaugeMetricFamily(
            "drorch_engine_runner_lag_seconds",
            "How long the oldest due, unclaimed execution has waited past its due time.",
            value=max(0.0, lag),
        )
