"""Fixtures: DRS sandboxes on 127.0.0.1 over real HTTP, reset between tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import sandbox as support
from tests.support.sandbox import (
    ACCOUNT,
    RunningSandbox,
    many_servers,
    reset_and_checked,
    running_sandbox,
)

# The shared small-fleet fixtures, registered for this folder.
served = support.served
sb = support.sb


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
    with reset_and_checked(big_served) as sandbox:
        yield sandbox
