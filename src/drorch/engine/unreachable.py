"""An account and Region drorch cannot reach for good: fail its servers that wait (pure)."""

from __future__ import annotations

from drorch.domain.executions import Execution, scope_key
from drorch.engine import rules as r
from drorch.engine.observe import DrsFault
from drorch.engine.rules import Changes
from drorch.engine.working import writable_at


def fail_unreachable(ex: Execution, key: str, fault: DrsFault, changes: Changes) -> None:
    """Fail the PENDING servers of running waves in the scope (e.g. its role cannot be assumed).

    Retrying would not help (the fault is permanent), and the rest of the execution goes on:
    servers of other accounts launch as usual.
    """
    reason = f"{fault.code}: {fault.message}" if fault.code else fault.message
    for wave_index, wave in enumerate(ex.waves):
        if wave.status != "RUNNING":
            continue
        for position, found in enumerate(wave.servers):
            if scope_key(found.account_id, found.region) != key:
                continue
            if found.status != "PENDING" or not r.LAUNCH_FAILED.allows(found.status):
                continue
            # A working copy shares the servers no step changed: copy this one into it first.
            server = writable_at(ex, wave_index, position)
            server.error = reason
            r.move_server(server, r.LAUNCH_FAILED, changes.now)
            changes.note(
                "server.failed",
                f"{server.source_server_id} cannot be launched: {reason}",
                wave=wave.name,
                source_server_id=server.source_server_id,
                optional=server.optional,
            )
