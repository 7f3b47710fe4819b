"""Fixtures for the DRS adapter: a sandbox over HTTP and a Stubber-backed client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.sandbox import RunningSandbox, running_sandbox, small_fleet


@pytest.fixture(scope="module")
def served() -> Iterator[RunningSandbox]:
    """The small fleet on a virtual clock."""
    with running_sandbox(small_fleet(), clock="virtual") as sb:
        yield sb


@pytest.fixture
def sb(served: RunningSandbox) -> Iterator[RunningSandbox]:
    """The sandbox, reset before each test; every response it sent must be model-checked."""
    assert served.admin("POST", "reset").status_code == 200
    before = len(served.validated)
    yield served
    received = sum(served.stats()["calls"].values())
    assert received == len(served.validated) - before
