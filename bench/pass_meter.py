"""CPU per engine pass, with the share spent inside the DRS client, and bytes through write().

`PassMeter` wraps one engine's `advance` and records, per pass, the calling thread's CPU
time, the CPU time spent inside DRS client calls (boto3 building and parsing requests)
and how many execution records the pass wrote. Used by engine_bench.py.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from drorch.engine.advance import Advanced, Engine
from drorch.ports.drs import DrsClient, DrsGateway, Scope

SMALL_PASS = 100  # "a pass with at most 100 servers changed"


class TimedClient:
    """A DRS client whose calls add their thread CPU time to a shared counter."""

    def __init__(self, client: DrsClient, owner: TimedDrs) -> None:
        self._client = client
        self._owner = owner

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._client, name)
        if not callable(target):
            return target

        def timed(*args: Any, **kwargs: Any) -> Any:
            begin = time.thread_time()
            try:
                return target(*args, **kwargs)
            finally:
                self._owner.cpu += time.thread_time() - begin

        return timed


class TimedDrs:
    """A DRS gateway handing out timed clients (the engine sees an ordinary gateway)."""

    def __init__(self, gateway: DrsGateway) -> None:
        self._gateway = gateway
        self.cpu = 0.0

    def client(self, scope: Scope) -> DrsClient:
        """The scope's client, timed."""
        return TimedClient(self._gateway.client(scope), self)  # type: ignore[return-value]

    def scopes(self) -> list[Scope]:
        """The gateway's scopes."""
        return self._gateway.scopes()


class PassMeter:
    """Records CPU, DRS-client CPU and records written of every pass of one engine."""

    def __init__(self, engine: Engine, drs: TimedDrs) -> None:
        self.passes: list[tuple[float, float, int]] = []
        self._drs = drs
        self._advance = engine.advance
        engine.advance = self._timed  # type: ignore[method-assign]

    def _timed(self, execution_id: str, *, claimed: bool = False) -> Advanced:
        begin, drs_before = time.thread_time(), self._drs.cpu
        result = self._advance(execution_id, claimed=claimed)
        cpu = time.thread_time() - begin
        self.passes.append((cpu, self._drs.cpu - drs_before, result.records))
        return result

    def figures(self) -> dict[str, Any]:
        """Means over all passes and over those that wrote at most SMALL_PASS records."""
        small = [p for p in self.passes if p[2] <= SMALL_PASS] or [(0.0, 0.0, 0)]
        every = self.passes or [(0.0, 0.0, 0)]
        return {
            "passes": len(self.passes),
            "passes_small": sum(1 for p in self.passes if p[2] <= SMALL_PASS),
            "cpu_ms_per_pass": _ms(statistics.fmean(p[0] for p in every)),
            "cpu_ms_per_small_pass": _ms(statistics.fmean(p[0] for p in small)),
            "engine_only_cpu_ms_per_small_pass": _ms(statistics.fmean(p[0] - p[1] for p in small)),
            "drs_client_cpu_ms_per_small_pass": _ms(statistics.fmean(p[1] for p in small)),
            "cpu_ms_per_pass_max": _ms(max(p[0] for p in every)),
            # Cheaper passes that came more often would lower the means, not this.
            "cpu_ms_all_passes": _ms(sum(p[0] for p in self.passes)),
            "cpu_ms_all_small_passes": _ms(sum(p[0] for p in self.passes if p[2] <= SMALL_PASS)),
        }


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def write_bytes() -> int:
    """Bytes this process passed to write() so far (Linux /proc/self/io), else -1."""
    try:
        for line in Path("/proc/self/io").read_text().splitlines():
            if line.startswith("wchar:"):
                return int(line.split()[1])
    except OSError:
        return -1
    return -1
