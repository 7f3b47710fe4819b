"""Retrying throttled reads in place: backoff, jitter, Retry-After, a bound on tries and time."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from drorch.adapters.clock import ManualClock
from drorch.engine.retrying import ReadRetry, Tries, retry_throttled
from drorch.errors import DrsThrottlingError, DrsValidationError


class Recorder(ManualClock):
    """A manual clock that remembers every wait."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        super().sleep(seconds)


def throttled_for(times: int, retry_after: float | None = None) -> Callable[[], str]:
    """A read that DRS throttles `times` times, then answers."""
    calls = {"n": 0}

    def read() -> str:
        calls["n"] += 1
        if calls["n"] <= times:
            raise DrsThrottlingError(
                "slow down", code="ThrottlingException", retry_after=retry_after
            )
        return "jobs"

    return read


def run(read: Callable[[], str], policy: ReadRetry, clock: Recorder, tries: Tries) -> str:
    return retry_throttled(read, clock=clock, policy=policy, rng=random.Random(1), tries=tries)


def test_backoff_grows_exponentially_with_equal_jitter_until_the_read_passes() -> None:
    clock, tries = Recorder(), Tries()
    policy = ReadRetry(attempts=5, base=1.0, cap=60.0, budget=100.0)
    assert run(throttled_for(3), policy, clock, tries) == "jobs"
    assert tries.calls == 4 and len(clock.waits) == 3
    for n, wait in enumerate(clock.waits, start=1):
        full = 2.0 ** (n - 1)
        assert full / 2 <= wait < full  # half kept, half random
    assert tries.waited == pytest.approx(sum(clock.waits))


def test_retry_after_is_honoured_when_it_asks_for_more_than_the_backoff() -> None:
    clock, tries = Recorder(), Tries()
    policy = ReadRetry(attempts=5, base=0.5, cap=4.0, budget=30.0)
    assert run(throttled_for(2, retry_after=7.0), policy, clock, tries) == "jobs"
    assert clock.waits == [7.0, 7.0]


def test_it_gives_up_after_the_last_try_and_raises_the_throttling() -> None:
    clock, tries = Recorder(), Tries()
    with pytest.raises(DrsThrottlingError):
        run(throttled_for(10), ReadRetry(attempts=3, budget=100.0), clock, tries)
    assert tries.calls == 3 and len(clock.waits) == 2


def test_it_never_waits_past_the_budget() -> None:
    clock, tries = Recorder(), Tries()
    with pytest.raises(DrsThrottlingError):
        run(throttled_for(10, retry_after=4.0), ReadRetry(attempts=9, budget=10.0), clock, tries)
    assert clock.waits == [4.0, 4.0]  # a third wait would end past 10 s
    assert (tries.calls, tries.retry_after) == (3, 4.0)
    clock, tries = Recorder(), Tries()
    with pytest.raises(DrsThrottlingError):
        run(throttled_for(1, retry_after=1000.0), ReadRetry(budget=10.0), clock, tries)
    assert clock.waits == [] and tries.calls == 1


def test_other_errors_are_not_retried() -> None:
    clock, calls = Recorder(), []

    def read() -> str:
        calls.append(1)
        raise DrsValidationError("bad", code="ValidationException")

    with pytest.raises(DrsValidationError):
        retry_throttled(read, clock=clock, policy=ReadRetry(), rng=random.Random(1))
    assert calls == [1] and clock.waits == []
