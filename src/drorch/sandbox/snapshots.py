"""Point-in-time recovery snapshots, derived from the clock like DRS's retention schedule."""

from __future__ import annotations

import math
from dataclasses import dataclass

from drorch.sandbox.state import ServerState
from drorch.sandbox.wire import alnum_id

MINUTE, HOUR, DAY = 60.0, 3600.0, 86400.0
# (spacing, window): every 10 minutes for an hour, hourly for a day, daily for a week.
RETENTION = ((10 * MINUTE, HOUR), (HOUR, DAY), (DAY, 7 * DAY))
NEVER_SNAPSHOTTED = frozenset({"INITIATING", "INITIAL_SYNC"})


@dataclass(frozen=True)
class Snapshot:
    """One recovery snapshot of a source server."""

    id: str
    server_id: str
    at: float
    ebs: tuple[str, ...]


def snapshots(server: ServerState, now: float, seed: int) -> list[Snapshot]:
    """The server's snapshots, oldest first (none before its first full sync)."""
    if server.spec.replication_state in NEVER_SNAPSHOTTED:
        return []
    cutoff = now if server.stalled_since is None else min(now, server.stalled_since)
    times: set[float] = set()
    for spacing, window in RETENTION:
        moment = math.floor(cutoff / spacing) * spacing
        while moment > cutoff - window and moment >= server.added_at:
            times.add(moment)
            moment -= spacing
    return [_snapshot(server, moment, seed) for moment in sorted(times)]


def _snapshot(server: ServerState, moment: float, seed: int) -> Snapshot:
    sid = server.spec.id
    ebs = tuple(
        "snap-" + alnum_id(17, seed, sid, moment, disk)
        for disk in range(len(server.spec.disks_gib))
    )
    return Snapshot(id="pit-" + alnum_id(17, seed, sid, moment), server_id=sid, at=moment, ebs=ebs)


def latest(server: ServerState, now: float, seed: int) -> Snapshot | None:
    """The newest snapshot, if any."""
    found = snapshots(server, now, seed)
    return found[-1] if found else None
