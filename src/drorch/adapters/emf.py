"""CloudWatch embedded metric format (EMF): the Prometheus figures as log lines on AWS.

On Lambda nothing scrapes `/metrics`, but every line a function prints reaches CloudWatch
Logs, which turns EMF documents into metrics. `EmfPublisher.flush()` (called at the end of
each invocation, or by a long-lived process now and then) reads the same registry the
`/metrics` route renders and writes one EMF document per metric and label set: counters as
the increase since the last flush, histograms as the increase of their count and sum (the
average is sum / count in metric math), gauges as their current value. So both worlds see
the same figures and no code path reports twice.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from prometheus_client import CollectorRegistry
from prometheus_client.core import Metric

MAX_DIMENSIONS = 30  # CloudWatch's limit per metric


@dataclass(frozen=True)
class Figure:
    """One value to publish: metric name, unit, dimensions and the value."""

    name: str
    unit: str
    dimensions: dict[str, str]
    value: float


class EmfPublisher:
    """Writes the registry's figures as EMF documents, counters as deltas between flushes."""

    def __init__(
        self,
        registry: CollectorRegistry,
        *,
        namespace: str,
        dimensions: dict[str, str] | None = None,
        stream: IO[str] | None = None,
        clock_ms: Callable[[], int] | None = None,
    ) -> None:
        self.registry = registry
        self.namespace = namespace
        self.dimensions = dict(dimensions or {})
        self.stream = stream
        self.clock_ms = clock_ms or (lambda: int(time.time() * 1000))
        self._last: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}

    def flush(self) -> int:
        """Write every figure that changed (every gauge); how many documents were written."""
        out = self.stream or sys.stdout
        written = 0
        now = self.clock_ms()
        for figure in self.figures():
            out.write(json.dumps(self.document(figure, now), separators=(",", ":")) + "\n")
            written += 1
        out.flush()
        return written

    def figures(self) -> Iterator[Figure]:
        """The figures to publish now, from one collection of the registry."""
        for family in self.registry.collect():
            yield from self._family(family)

    def document(self, figure: Figure, timestamp_ms: int) -> dict[str, Any]:
        """One EMF document carrying one figure."""
        dims = {**self.dimensions, **figure.dimensions}
        names = sorted(dims)[:MAX_DIMENSIONS]
        return {
            "_aws": {
                "Timestamp": timestamp_ms,
                "CloudWatchMetrics": [
                    {
                        "Namespace": self.namespace,
                        "Dimensions": [names],
                        "Metrics": [{"Name": figure.name, "Unit": figure.unit}],
                    }
                ],
            },
            **{name: dims[name] for name in names},
            figure.name: figure.value,
        }

    def _family(self, family: Metric) -> Iterator[Figure]:
        unit = _unit_of(family.name)
        for sample in family.samples:
            dims = dict(sample.labels)
            if family.type == "gauge":
                yield Figure(_metric_name(sample.name), unit, dims, float(sample.value))
            elif family.type == "counter" and sample.name.endswith("_total"):
                yield from self._delta(sample.name.removesuffix("_total"), "Count", dims, sample)
            elif family.type == "histogram" and sample.name.endswith("_count"):
                yield from self._delta(sample.name, "Count", dims, sample)
            elif family.type == "histogram" and sample.name.endswith("_sum"):
                yield from self._delta(sample.name, unit, dims, sample)

    def _delta(self, name: str, unit: str, dims: dict[str, str], sample: Any) -> Iterator[Figure]:
        key = (name, tuple(sorted(dims.items())))
        value = float(sample.value)
        change = value - self._last.get(key, 0.0)
        self._last[key] = value
        if change > 0:
            yield Figure(_metric_name(name), unit, dims, change)


def _unit_of(name: str) -> str:
    return "Seconds" if "seconds" in name else "None"


def _metric_name(sample_name: str) -> str:
    """`drorch_api_request_duration_seconds_sum` -> `ApiRequestDurationSecondsSum`."""
    words = sample_name.removeprefix("drorch_").split("_")
    return "".join(word[:1].upper() + word[1:] for word in words if word)
