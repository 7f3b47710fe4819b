"""The DRS sandbox: a local DRS that the unmodified boto3 `drs` client talks to."""

from __future__ import annotations

from drorch.sandbox.asgi import create_app
from drorch.sandbox.core import Sandbox
from drorch.sandbox.fleet import Fleet, FleetError, load_fleet, synthetic_fleet

__all__ = ["Fleet", "FleetError", "Sandbox", "create_app", "load_fleet", "synthetic_fleet"]
