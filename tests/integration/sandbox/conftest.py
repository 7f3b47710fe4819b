"""Fixtures: DRS sandboxes on 127.0.0.1 over real HTTP, reset between tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.sandbox import (
    ACCOUNT,
    RunningSandbox,
    many_servers,
    running_sandbox,
    small_fleet,
)


@pytest.fixture(scope="module")
def served() -> Iterator[RunningSandbox]:
    """The small fleet on a virtual clock, one server per test module."""
    with running_sandbox(small_fleet(), clock="virtual") as sb:
        yield sb


@pytest.fixture
def sb(served: RunningSandbox) -> Iterator[RunningSandbox]:
    """The module's sandbox, reset to its fleet before the test and checked after it."""
    assert served.admin("POST", "reset").status_code == 200
    before = len(served.validated)
    yield served
    assert_all_validated(served, before)


def assert_all_validated(served: RunningSandbox, before: int) -> None:
    """Every DRS request the sandbox got since the reset had its response model-checked."""
    received = sum(served.stats()["calls"].values())
    assert received == len(served.validated) - before


@pytest.fixture
def drs(sb: RunningSandbox) -> Any:
    """A boto3 drs client of the test account in us-east-1."""
    return sb.client(ACCOUNT, "us-east-1")


@pytest.fixture(scope="module")
def big_served() -> Iterator[RunningSandbox]:
    """700 servers in one account and Region (quotas, pagination)."""
    with running_sandbox(many_servers(700), clock="virtual") as sb:
        yield sb


@pytest.fixture
def big(big_served: RunningSandbox) -> Iterator[RunningSandbox]:
    """The big sandbox, reset."""
    assert big_served.admin("POST", "reset").status_code == 200
    before = len(big_served.validated)
    yield big_served
    assert_all_validated(big_served, before)
