"""Parts built on first use (wiring/deferred.py): once, on the first read, then passed through."""

from __future__ import annotations

import pytest

from drorch.adapters.storage.sqlite import SqliteStore
from drorch.bootstrap import bootstrap
from drorch.config import Settings
from drorch.wiring.deferred import Deferred


class Part:
    def __init__(self, made: list[int]) -> None:
        made.append(1)
        self.name = "part"

    def hello(self, who: str) -> str:
        return f"hello {who}"


def test_the_first_read_builds_the_part_once() -> None:
    made: list[int] = []
    part = Deferred(lambda: Part(made))
    assert made == [] and not part.built()
    assert part.hello("you") == "hello you" and part.name == "part"
    assert made == [1] and part.built() and isinstance(part.resolve(), Part)


def test_a_build_that_failed_is_tried_again() -> None:
    attempts: list[int] = []

    def build() -> Part:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("not yet")
        return Part([])

    part = Deferred(build)
    with pytest.raises(RuntimeError, match="not yet"):
        part.resolve()
    assert part.name == "part" and len(attempts) == 2


def test_bootstrap_defers_sign_in_and_notifications_until_used() -> None:
    box = bootstrap(Settings(runner_enabled=False), store=SqliteStore(":memory:"))
    deferred = [box.notifier, box.auth.passwords, box.auth.signer, *box.verifiers]
    assert all(isinstance(p, Deferred) and not p.built() for p in deferred)
    hashed = box.auth.passwords.hash("a long enough password")  # argon2, built now
    assert box.auth.passwords.verify(hashed, "a long enough password")
    assert box.verifiers[0].verify("drt_unknown") is None  # no such API token
    assert box.notifier.run_once().raised == 0  # nothing to notify yet
    box.store.close()
