"""Retrying a throttled DRS read in place, within a bound, on the Clock port.

The engine never sleeps (a throttled scope gets a due time instead); a caller that must
answer now, such as the start preflight, waits here instead: exponential backoff with
equal jitter, never less than DRS's Retry-After, until the read passes, the tries run out
or the next wait would cross the time budget.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from drorch.engine.backoff import delay
from drorch.errors import DrsThrottlingError
from drorch.ports.clock import Clock

T = TypeVar("T")


@dataclass(frozen=True)
class ReadRetry:
    """How often and how long a throttled read is tried again (seconds of the clock)."""

    attempts: int = 5
    base: float = 0.5
    cap: float = 4.0
    budget: float = 10.0


@dataclass
class Tries:
    """What retrying did: calls made, seconds waited, and the wait DRS asked for last."""

    calls: int = 0
    waited: float = 0.0
    retry_after: float | None = None


def retry_throttled(
    read: Callable[[], T],
    *,
    clock: Clock,
    policy: ReadRetry,
    rng: random.Random,
    tries: Tries | None = None,
) -> T:
    """The read's result; DrsThrottlingError only once the policy's bound is reached."""
    tries = tries if tries is not None else Tries()
    started = clock.now()
    while True:
        tries.calls += 1
        try:
            return read()
        except DrsThrottlingError as exc:
            tries.retry_after = exc.retry_after
            wait = _next_wait(tries.calls, exc, policy, rng)
            spent = (clock.now() - started).total_seconds()
            if tries.calls >= policy.attempts or spent + wait > policy.budget:
                raise
        clock.sleep(wait)
        tries.waited += wait


def _next_wait(calls: int, exc: DrsThrottlingError, policy: ReadRetry, rng: random.Random) -> float:
    return delay(
        calls, base=policy.base, cap=policy.cap, jitter=rng.random(), retry_after=exc.retry_after
    )
