"""The replication fault: make DRS report a server stalled, lagging or otherwise unhealthy."""

from __future__ import annotations

from collections.abc import Iterable

from drorch.sandbox.faults import ReplicationFault
from drorch.sandbox.state import ScopeState, ServerState

# States in which replication stopped some time ago (lag grows, snapshots stop).
STOPPED = frozenset({"STALLED", "DISCONNECTED", "PAUSED", "STOPPED"})


def find_server(scopes: Iterable[ScopeState], server_id: str) -> ServerState:
    """The server of any scope; KeyError naming it when the fleet has none."""
    for scope in scopes:
        if server_id in scope.servers:
            return scope.servers[server_id]
    raise KeyError(server_id)


def apply(server: ServerState, fault: ReplicationFault, now: float) -> None:
    """Report the fault's state from now on; a stopped state's lag grows from the given lag."""
    server.spec = server.spec.model_copy(
        update={"replication_state": fault.state, "lag_seconds": fault.lag_seconds}
    )
    server.stalled_since = now - fault.lag_seconds if fault.state in STOPPED else None


def restore(server: ServerState, original: ReplicationFault, now: float) -> None:
    """Back to what the fleet file says of the server."""
    apply(server, original, now)
