"""Sandbox time: `scaled` (real time x a factor, for demos) or `virtual` (moved by hand)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Literal

ClockMode = Literal["scaled", "virtual"]


@dataclass
class SandboxClock:
    """Sandbox time in epoch seconds, anchored so it can be saved and resumed."""

    mode: ClockMode = "virtual"
    time_scale: float = 1.0
    anchor_sandbox: float = 0.0
    anchor_wall: float = 0.0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        if self.time_scale <= 0:
            raise ValueError("time scale must be positive")
        if not self.anchor_sandbox:
            # Start at a whole second so virtual runs print tidy timestamps.
            self.anchor_sandbox = float(int(time.time()))
        if not self.anchor_wall:
            self.anchor_wall = time.time()

    def now(self) -> float:
        """Current sandbox time (epoch seconds)."""
        with self._lock:
            if self.mode == "virtual":
                return self.anchor_sandbox
            return self.anchor_sandbox + (time.time() - self.anchor_wall) * self.time_scale

    def advance(self, seconds: float) -> float:
        """Move sandbox time forward (either mode) and return the new time."""
        if seconds < 0:
            raise ValueError("the sandbox clock never goes backwards")
        with self._lock:
            self.anchor_sandbox += seconds
            return self.anchor_sandbox if self.mode == "virtual" else self._scaled_now()

    def _scaled_now(self) -> float:
        return self.anchor_sandbox + (time.time() - self.anchor_wall) * self.time_scale

    def to_dict(self) -> dict[str, Any]:
        """What the state file keeps."""
        return {
            "mode": self.mode,
            "time_scale": self.time_scale,
            "now": self.now(),
            "wall": time.time(),
        }

    @classmethod
    def resume(cls, saved: dict[str, Any], mode: ClockMode, time_scale: float) -> SandboxClock:
        """A clock continuing from a saved one; scaled time keeps running while stopped."""
        now = float(saved["now"])
        if mode == "scaled" and saved.get("mode") == "scaled":
            # Jobs started before the restart finish when they would have.
            elapsed = max(0.0, time.time() - float(saved["wall"]))
            now += elapsed * float(saved.get("time_scale", time_scale))
        return cls(mode=mode, time_scale=time_scale, anchor_sandbox=now, anchor_wall=time.time())
