"""Quiet jobs: a job read as it was, over servers as they were, needs no fold (a pure cache).

Folding a job compares each of its (up to 100) servers as DRS reports it with the server
as the execution holds it. At 5,000 servers about half of the job reads show a job
exactly as the previous read did, over servers nothing has touched since: the fold finds
nothing, yet reading each server object costs more than the rest of the fold. A fold that
found nothing is remembered with the job's server list and the server objects it looked
at; when the next read of the job shows the same list and the execution still holds those
very objects, the fold would find nothing again, and is skipped.

Identity stands for content only because the objects remembered are never changed: a fold
is remembered only when none of its servers is owned (copied, hence changeable) by the
working copy it looked at, so each one is a shared server of a stored state, which no
step changes (engine/working.py). The cache keeps the objects alive, so an id cannot be
reused; it is bounded, and an entry goes when its batch ends.
"""

from __future__ import annotations

from dataclasses import dataclass

from drorch.domain.execution_records import server_positions
from drorch.domain.executions import Batch, Execution, ServerRun
from drorch.ports.drs import DrsJob, JobServer

MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class _Fold:
    """A fold that found nothing: the job's servers, and where and which servers it read."""

    parts: tuple[JobServer, ...]
    places: tuple[tuple[int, int], ...]
    servers: tuple[ServerRun, ...]
    launching: int | None  # how many of those servers are LAUNCHING (polling's gap needs it)


_QUIET: dict[tuple[str, str], _Fold] = {}


def unchanged(ex: Execution, batch: Batch, job: DrsJob) -> bool:
    """True when folding the job now would find nothing: same report, same server objects."""
    found = _QUIET.get((batch.batch_id, job.job_id))
    if found is None or batch.job_id != job.job_id:
        return False
    if found.parts is not job.servers and found.parts != job.servers:
        return False
    return _same_servers(ex, found)


def launching(ex: Execution, batch: Batch) -> int | None:
    """The batch's LAUNCHING servers, when its servers are those of a remembered fold."""
    found = _QUIET.get((batch.batch_id, batch.job_id or ""))
    if found is None or not _same_servers(ex, found):
        return None
    return found.launching


def _same_servers(ex: Execution, found: _Fold) -> bool:
    waves = ex.waves
    return all(
        waves[w].servers[p] is server
        for (w, p), server in zip(found.places, found.servers, strict=True)
    )


def remember(ex: Execution, batch: Batch, job: DrsJob) -> None:
    """Remember a fold that found nothing, if every server it read is a shared one."""
    positions = server_positions(ex)
    places = tuple(p for p in (positions.get(s.source_server_id) for s in job.servers) if p)
    servers = []
    for w, p in places:
        listed = ex.waves[w].servers
        server = listed[p]
        owned: set[int] | None = getattr(listed, "owned", None)
        if owned is None or id(server) in owned:
            return  # changeable (owned, or not a working copy): identity proves nothing
        servers.append(server)
    if len(_QUIET) >= MAX_ENTRIES:
        _QUIET.clear()
    count: int | None = sum(1 for server in servers if server.status == "LAUNCHING")
    if len(places) != len(batch.source_server_ids):
        count = None  # DRS lists other servers than the batch's: polling counts them itself
    _QUIET[(batch.batch_id, job.job_id)] = _Fold(job.servers, places, tuple(servers), count)


def forget(batch: Batch) -> None:
    """Drop what was remembered of a batch's job (it ended)."""
    _QUIET.pop((batch.batch_id, batch.job_id or ""), None)
