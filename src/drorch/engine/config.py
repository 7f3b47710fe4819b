"""Engine tuning: polling, backoff, reconciliation and lease timings, and the DRS quotas."""

from __future__ import annotations

from dataclasses import dataclass, field

from drorch.engine.quotas import Limits


@dataclass(frozen=True)
class EngineConfig:
    """Timings in seconds of the engine's clock."""

    fast_poll: float = 0.5
    slow_poll: float = 30.0
    capacity_poll: float = 30.0
    error_retry: float = 5.0
    idle_poll: float = 300.0
    reconcile_poll: float = 2.0
    reconcile_grace: float = 30.0
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    lease_seconds: float = 15.0
    job_list_window: float = 3 * 3600.0
    near_end_fraction: float = 0.2
    # A pass also reads the jobs due within this fraction of their gap (at most the cap):
    # reading a job a little early costs less than a pass of its own.
    look_ahead_fraction: float = 0.25
    look_ahead_cap: float = 5.0
    # A job read unchanged is looked at this much later than last time, up to the cap.
    unchanged_growth: float = 1.25
    unchanged_cap: float = 2.5
    stall_factor: float = 3.0
    stall_seconds: float = 3600.0
    limits: Limits = field(default_factory=Limits)


# The defaults, for callers handed no config; processes get theirs from bootstrap's Settings.
DEFAULT_CONFIG = EngineConfig()
