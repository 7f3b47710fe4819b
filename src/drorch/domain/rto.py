"""The recovery time an execution achieved, measured against its plan's RTO target.

RTO achieved runs from the first server's launch start to the last server's launch, minus
the time the execution spent PAUSED inside that window (an operator's pause or a
`pause_before` wave waiting to be released): those waits are reported apart, because
they measure people, not the recovery. It is judged against the target only for an
execution that COMPLETED; a cancelled, failed or partial run did not recover everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from drorch.domain.executions import Execution, Pause


@dataclass(frozen=True)
class RtoFigures:
    """RTO achieved (seconds, None before any server launched), pauses, and the verdict."""

    achieved_seconds: float | None
    paused_seconds: float
    within_rto: bool | None


def rto_figures(ex: Execution, now: datetime) -> RtoFigures:
    """The RTO figures of an execution; `now` closes a pause that still lasts."""
    paused = sum(_overlap(p, None, None, now) for p in ex.pauses)
    window = _launch_window(ex)
    if window is None:
        return RtoFigures(None, round(paused, 3), None)
    start, end = window
    inside = sum(_overlap(p, start, end, now) for p in ex.pauses)
    achieved = round((end - start).total_seconds() - inside, 3)
    rto = ex.snapshot.plan.rto_minutes
    within = achieved <= rto * 60 if ex.status == "COMPLETED" and rto is not None else None
    return RtoFigures(achieved, round(paused, 3), within)


def _launch_window(ex: Execution) -> tuple[datetime, datetime] | None:
    servers = ex.servers()
    starts = [s.started_at for s in servers if s.started_at]
    launched = [s.ended_at for s in servers if s.launch_status == "LAUNCHED" and s.ended_at]
    if not starts or not launched:
        return None
    return min(starts), max(launched)


def _overlap(pause: Pause, start: datetime | None, end: datetime | None, now: datetime) -> float:
    """Seconds of `pause` inside [start, end] (unbounded when None)."""
    lo = max(pause.started_at, start) if start else pause.started_at
    hi = pause.ended_at or now
    hi = min(hi, end) if end else hi
    return max(0.0, (hi - lo).total_seconds())
