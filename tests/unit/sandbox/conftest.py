"""Fixtures for the sandbox core: an in-process Sandbox on a virtual clock."""

from __future__ import annotations

from typing import Any

import pytest

from drorch.sandbox import Sandbox, load_fleet
from drorch.sandbox.clock import SandboxClock
from tests.support.sandbox import ACCOUNT, REGION, small_fleet


@pytest.fixture
def fleet_data() -> dict[str, Any]:
    """The small test fleet as a dict (tests may change it before building a sandbox)."""
    return small_fleet()


@pytest.fixture
def sandbox(fleet_data: dict[str, Any]) -> Sandbox:
    """A sandbox of the small fleet on a virtual clock."""
    return Sandbox(load_fleet(fleet_data), clock=SandboxClock(mode="virtual"))


@pytest.fixture
def call(sandbox: Sandbox) -> Any:
    """`call(operation, **params)` in the test account's first Region."""

    def run(operation: str, region: str = REGION, **params: Any) -> dict[str, Any]:
        return dict(sandbox.call(operation, ACCOUNT, region, params))

    return run
