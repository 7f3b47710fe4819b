"""Quiet servers: what a job shows as it did, over a server as it was, needs no fold (a cache).

Folding a job compares each of its (up to 100) servers as DRS reports it with the server
as the execution holds it. At 5,000 servers most of a running job's servers read exactly
as they did at the previous read, over server objects nothing has touched since: the
fold finds nothing for them, yet reading each server object costs more than the rest of
the fold. So each fold is remembered, per server of the job: DRS's report of it, where the
server sits, and the server object when the fold found nothing new for it. At the next
fold of the job, a server whose report is the same object (the adapter hands out one
JobServer per value) and whose server object is the one remembered would again show
nothing: only the others are looked at.

Identity stands for content only because the objects remembered are never changed: a
server is remembered only when the working copy the fold ran on does not own it (a copy
it owns may still change later in the pass), so it is a shared server of a stored state,
which no step changes (engine/working.py). The cache keeps the objects alive, so an id
cannot be reused; it is bounded, and an entry goes when its batch ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from drorch.domain.execution_records import server_positions
from drorch.domain.executions import Batch, Execution, ServerRun
from drorch.ports.drs import DrsJob, JobServer

MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class _Fold:
    """A job's last fold: per server of the job, its report, its place, the quiet server."""

    parts: tuple[JobServer, ...]
    places: tuple[tuple[int, int] | None, ...]
    servers: tuple[ServerRun | None, ...]  # None: to be looked at again next time
    covers: bool  # the job's servers are exactly the batch's
    launching: int | None  # the batch's LAUNCHING servers, when all of them are quiet


_QUIET: dict[tuple[str, str], _Fold] = {}


def to_examine(ex: Execution, batch: Batch, job: DrsJob) -> Sequence[int]:
    """Indexes of the job's servers a fold must look at (the others would show nothing)."""
    found = _entry(batch, job)
    if found is None:
        return range(len(job.servers))
    waves = ex.waves
    return [
        i
        for i, (part, old, place, server) in enumerate(
            zip(job.servers, found.parts, found.places, found.servers, strict=True)
        )
        if server is None
        or part is not old
        or place is None
        or waves[place[0]].servers[place[1]] is not server
    ]


def record(
    ex: Execution, batch: Batch, job: DrsJob, examined: Sequence[int], unsettled: Sequence[int]
) -> None:
    """Remember a fold: `examined` the indexes it looked at, `unsettled` those to look at again."""
    found = _entry(batch, job)
    if found is not None and not examined:
        return  # every server was quiet and still is: the entry holds as it is
    if found is None:
        positions = server_positions(ex)
        places = tuple(positions.get(part.source_server_id) for part in job.servers)
        servers: list[ServerRun | None] = [None] * len(places)
        covers = {p.source_server_id for p in job.servers} == set(batch.source_server_ids)
    else:
        places, servers, covers = found.places, list(found.servers), found.covers
    again = set(unsettled)
    for i in examined:
        place = places[i]
        servers[i] = None if place is None or i in again else _shared(ex, place)
    count = _launching(servers) if covers else None
    if len(_QUIET) >= MAX_ENTRIES:
        _QUIET.clear()
    _QUIET[(batch.batch_id, job.job_id)] = _Fold(job.servers, places, tuple(servers), covers, count)


def _entry(batch: Batch, job: DrsJob) -> _Fold | None:
    """The remembered fold of this job, if it is of the same servers in the same order."""
    found = _QUIET.get((batch.batch_id, job.job_id))
    if found is None or batch.job_id != job.job_id or len(found.parts) != len(job.servers):
        return None
    return found


def launching(ex: Execution, batch: Batch) -> int | None:
    """The batch's LAUNCHING servers, when every one of them is quiet; else None."""
    found = _QUIET.get((batch.batch_id, batch.job_id or ""))
    if found is None or found.launching is None:
        return None
    waves = ex.waves
    for place, server in zip(found.places, found.servers, strict=True):
        if place is None or waves[place[0]].servers[place[1]] is not server:
            return None
    return found.launching


def forget(batch: Batch) -> None:
    """Drop what was remembered of a batch's job (it ended)."""
    _QUIET.pop((batch.batch_id, batch.job_id or ""), None)


def _shared(ex: Execution, place: tuple[int, int]) -> ServerRun | None:
    """The server at a place, if the working copy does not own it (else None)."""
    listed = ex.waves[place[0]].servers
    server = listed[place[1]]
    owned: set[int] | None = getattr(listed, "owned", None)
    if owned is None or id(server) in owned:
        return None  # changeable (owned, or not a working copy): identity proves nothing
    return server


def _launching(servers: list[ServerRun | None]) -> int | None:
    """How many of the servers are LAUNCHING, when every one is quiet (else None)."""
    count = 0
    for server in servers:
        if server is None:
            return None
        count += server.status == "LAUNCHING"
    return count
