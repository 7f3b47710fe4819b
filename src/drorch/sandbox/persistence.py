"""The state file: everything a sandbox holds, written atomically after each change."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drorch.sandbox.clock import ClockMode, SandboxClock
from drorch.sandbox.faults import Faults
from drorch.sandbox.fleet import parse_fleet
from drorch.sandbox.state import ScopeState

if TYPE_CHECKING:
    from drorch.sandbox.core import Sandbox

VERSION = 1


def snapshot(sandbox: Sandbox) -> dict[str, Any]:
    """The whole state as JSON-ready data."""
    return {
        "version": VERSION,
        "fleet": sandbox.fleet.model_dump(),
        "clock": sandbox.clock.to_dict(),
        "counter": sandbox.counter,
        "faults": sandbox.faults.to_dict(),
        "calls": sandbox.calls,
        "launches": sandbox.launches,
        "scopes": [scope.to_dict() for scope in sandbox.scopes.values()],
    }


def save(sandbox: Sandbox, path: Path) -> None:
    """Write the state next to `path` and rename it over, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(snapshot(sandbox), handle, separators=(",", ":"))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load(cls: type[Sandbox], path: Path, mode: ClockMode, time_scale: float) -> Sandbox:
    """A sandbox exactly as it was saved (the saved fleet wins over any given one)."""
    data = json.loads(path.read_text())
    if data.get("version") != VERSION:
        raise ValueError(f"state file {path} has unknown version {data.get('version')}")
    clock = SandboxClock.resume(data["clock"], mode, time_scale)
    sandbox = cls(parse_fleet(data["fleet"]), clock=clock, state_file=path)
    sandbox.counter = int(data["counter"])
    sandbox.faults = Faults.from_dict(data["faults"])
    sandbox.calls = {str(k): int(v) for k, v in data["calls"].items()}
    sandbox.launches = {str(k): int(v) for k, v in data["launches"].items()}
    scopes = [ScopeState.from_dict(item) for item in data["scopes"]]
    sandbox.scopes = {(s.account, s.region): s for s in scopes}
    sandbox.fresh_ec2()  # EC2 (moto) is not in the state file: its network is seeded afresh
    return sandbox
