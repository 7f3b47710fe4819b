"""Injected faults: failed launches, throttling, latency, stalled jobs."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ANY = "*"


class FaultsRequest(BaseModel):
    """Body of `POST /_sandbox/faults`; every part is optional and adds to what is set."""

    model_config = ConfigDict(extra="forbid")

    fail_launches: list[str] = Field(default_factory=list, description="Source server ids.")
    fail_phase: Literal["CONVERSION", "LAUNCH"] = "LAUNCH"
    throttle: dict[str, float] = Field(
        default_factory=dict, description="Operation (or *) -> allowed requests per second."
    )
    latency: dict[str, float] = Field(
        default_factory=dict, description="Operation (or *) -> added seconds."
    )
    stall_jobs: list[str] = Field(default_factory=list, description="Job ids to freeze.")
    stall_new_jobs: bool | None = None


@dataclass
class Faults:
    """The faults in force (saved with the state)."""

    fail_launches: dict[str, str] = field(default_factory=dict)
    throttle: dict[str, float] = field(default_factory=dict)
    latency: dict[str, float] = field(default_factory=dict)
    stall_new_jobs: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (also what `GET /_sandbox/faults` shows)."""
        return {
            "fail_launches": dict(self.fail_launches),
            "throttle": dict(self.throttle),
            "latency": dict(self.latency),
            "stall_new_jobs": self.stall_new_jobs,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Faults:
        """Inverse of `to_dict`."""
        return cls(
            fail_launches=dict(data.get("fail_launches", {})),
            throttle=dict(data.get("throttle", {})),
            latency=dict(data.get("latency", {})),
            stall_new_jobs=bool(data.get("stall_new_jobs", False)),
        )

    def latency_for(self, operation: str) -> float:
        """Seconds to hold a call of this operation before answering."""
        return self.latency.get(operation, self.latency.get(ANY, 0.0))


class Throttle:
    """Token buckets per operation; real time, since throttling limits request rates."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}

    def reset(self) -> None:
        """Forget all buckets (new limits start full)."""
        with self._lock:
            self._buckets.clear()

    def check(self, key: str, rate: float) -> int | None:
        """None when the call may proceed, else whole seconds to wait (Retry-After)."""
        now = time.monotonic()
        capacity = max(1.0, rate)
        with self._lock:
            tokens, last = self._buckets.get(key, (capacity, now))
            tokens = min(capacity, tokens + (now - last) * rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return None
            self._buckets[key] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / rate))
