"""Injected faults: failed launches, throttling, latency, stalled jobs, stalled replication."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from drorch.domain.inventory import ReplicationState

ANY = "*"


class ReplicationFault(BaseModel):
    """A server's replication as the fault makes DRS report it."""

    model_config = ConfigDict(extra="forbid")

    state: ReplicationState = Field(description="Any DataReplicationState, e.g. STALLED.")
    lag_seconds: float = Field(
        default=0.0, ge=0, description="Lag now; it grows from here once replication stopped."
    )


class FaultsRequest(BaseModel):
    """Body of `POST /_sandbox/faults`; every part is optional and adds to what is set."""

    model_config = ConfigDict(extra="forbid")

    fail_launches: list[str] = Field(default_factory=list, description="Source server ids.")
    fail_phase: Literal["CONVERSION", "LAUNCH"] = "LAUNCH"
    throttle: dict[str, float] = Field(
        default_factory=dict,
        description="Operation (or *) -> allowed requests per second, per account and Region.",
    )
    throttle_burst: dict[str, float] = Field(
        default_factory=dict,
        description="Operation (or *) -> calls that may pass back to back (default max(1, rate)).",
    )
    latency: dict[str, float] = Field(
        default_factory=dict, description="Operation (or *) -> seconds added before the work."
    )
    latency_after: dict[str, float] = Field(
        default_factory=dict,
        description="Operation (or *) -> seconds added after the work is done (a late answer; "
        "past the client's timeout, a lost one while the job exists).",
    )
    drop_if_gone: list[str] = Field(
        default_factory=list,
        description="Operations never done when the client disconnected during their `latency` "
        "(a request lost on its way to DRS, as when the caller crashed before sending it).",
    )
    fail_terminations: list[str] = Field(
        default_factory=list,
        description="Source server ids whose recovery instance a TERMINATE job fails to remove.",
    )
    stall_jobs: list[str] = Field(default_factory=list, description="Job ids to freeze.")
    stall_new_jobs: bool | None = None
    replication: dict[str, ReplicationFault] = Field(
        default_factory=dict,
        description="Source server id -> the replication state and lag DRS reports for it.",
    )


@dataclass
class Faults:
    """The faults in force (saved with the state)."""

    fail_launches: dict[str, str] = field(default_factory=dict)
    throttle: dict[str, float] = field(default_factory=dict)
    throttle_burst: dict[str, float] = field(default_factory=dict)
    latency: dict[str, float] = field(default_factory=dict)
    latency_after: dict[str, float] = field(default_factory=dict)
    stall_new_jobs: bool = False
    replication: dict[str, dict[str, Any]] = field(default_factory=dict)
    drop_if_gone: set[str] = field(default_factory=set)
    fail_terminations: set[str] = field(default_factory=set)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (also what `GET /_sandbox/faults` shows)."""
        return {
            "fail_launches": dict(self.fail_launches),
            "throttle": dict(self.throttle),
            "throttle_burst": dict(self.throttle_burst),
            "latency": dict(self.latency),
            "latency_after": dict(self.latency_after),
            "stall_new_jobs": self.stall_new_jobs,
            "replication": {k: dict(v) for k, v in self.replication.items()},
            "drop_if_gone": sorted(self.drop_if_gone),
            "fail_terminations": sorted(self.fail_terminations),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Faults:
        """Inverse of `to_dict`."""
        return cls(
            fail_launches=dict(data.get("fail_launches", {})),
            throttle=dict(data.get("throttle", {})),
            throttle_burst=dict(data.get("throttle_burst", {})),
            latency=dict(data.get("latency", {})),
            latency_after=dict(data.get("latency_after", {})),
            stall_new_jobs=bool(data.get("stall_new_jobs", False)),
            replication={k: dict(v) for k, v in data.get("replication", {}).items()},
            drop_if_gone=set(data.get("drop_if_gone", [])),
            fail_terminations=set(data.get("fail_terminations", [])),
        )

    def latency_for(self, operation: str) -> float:
        """Seconds to hold a call of this operation before doing its work."""
        return _lookup(self.latency, operation, 0.0) or 0.0

    def latency_after_for(self, operation: str) -> float:
        """Seconds to hold the answer of this operation after its work is done."""
        return _lookup(self.latency_after, operation, 0.0) or 0.0

    def limit_for(self, operation: str) -> Limit | None:
        """The rate and burst that apply to an operation, or None when it is not throttled."""
        rate = _lookup(self.throttle, operation, None)
        if rate is None:
            return None
        burst = _lookup(self.throttle_burst, operation, None)
        return Limit(rate, burst if burst is not None else max(1.0, rate))


def _lookup(table: dict[str, float], operation: str, default: float | None) -> float | None:
    """The operation's own entry, else the `*` entry, else the default."""
    return table.get(operation, table.get(ANY, default))


@dataclass(frozen=True)
class Limit:
    """A token bucket's refill rate (calls per second) and size (calls back to back)."""

    rate: float
    burst: float


# Which bucket a call draws from: DRS throttles per account, Region and operation.
BucketKey = tuple[str, str, str]


class Throttle:
    """Token buckets per account, Region and operation; real time (it limits request rates)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[BucketKey, tuple[float, float]] = {}

    def reset(self) -> None:
        """Forget all buckets (new limits start full)."""
        with self._lock:
            self._buckets.clear()

    def check(self, key: BucketKey, limit: Limit) -> int | None:
        """None when the call may proceed, else whole seconds to wait (Retry-After)."""
        now = time.monotonic()
        rate, capacity = limit.rate, max(1.0, limit.burst)
        with self._lock:
            tokens, last = self._buckets.get(key, (capacity, now))
            tokens = min(capacity, tokens + (now - last) * rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return None
            self._buckets[key] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / rate))
