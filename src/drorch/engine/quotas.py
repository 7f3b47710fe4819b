"""DRS quota math (pure): how much of a wished batch fits in an account and Region now.

Usage merges two views so that nothing is counted twice or missed: the jobs DescribeJobs
reports as not COMPLETED (including jobs drorch did not start) and the OPEN/STARTED intents
of every execution in the store (jobs being started right now that DRS may not list yet).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from drorch.domain.executions import TAG_BATCH, Intent
from drorch.ports.drs import DrsJob


@dataclass(frozen=True)
class Limits:
    """The DRS quotas the engine obeys in one account and Region."""

    servers_per_job: int = 100
    concurrent_jobs: int = 20
    servers_in_active_jobs: int = 500
    terminate_array: int = 200


@dataclass(frozen=True)
class Usage:
    """Jobs and servers currently active in one account and Region."""

    jobs: int = 0
    servers: int = 0
    busy: frozenset[str] = frozenset()


def usage(jobs: Iterable[DrsJob], intents: Iterable[Intent]) -> Usage:
    """Active DRS jobs plus open intents, each job counted once (matched by id or batch tag)."""
    completed_ids, completed_batches = set(), set()
    active: dict[str, frozenset[str]] = {}
    for job in jobs:
        batch = job.tags.get(TAG_BATCH)
        if job.status == "COMPLETED":
            completed_ids.add(job.job_id)
            if batch:
                completed_batches.add(batch)
            continue
        servers = frozenset(s.source_server_id for s in job.servers)
        active[f"batch:{batch}" if batch else f"job:{job.job_id}"] = servers
    for intent in intents:
        if intent.job_id in completed_ids or intent.batch_id in completed_batches:
            continue
        active.setdefault(f"batch:{intent.batch_id}", frozenset(intent.source_server_ids))
    busy = frozenset().union(*active.values()) if active else frozenset()
    return Usage(jobs=len(active), servers=sum(len(s) for s in active.values()), busy=busy)


def fit(
    wished: Sequence[str], current: Usage, limits: Limits, *, yield_to_recovery: bool = False
) -> list[str]:
    """The servers of `wished` that may start in one new job now ([] when none may)."""
    if yield_to_recovery or current.jobs >= limits.concurrent_jobs:
        return []
    room = min(limits.servers_per_job, limits.servers_in_active_jobs - current.servers)
    if room <= 0:
        return []
    return [s for s in wished if s not in current.busy][:room]


def add(current: Usage, server_ids: Sequence[str]) -> Usage:
    """Usage after one more job with these servers starts."""
    return Usage(
        jobs=current.jobs + 1,
        servers=current.servers + len(server_ids),
        busy=current.busy | frozenset(server_ids),
    )


def chunks(server_ids: Sequence[str], size: int) -> list[list[str]]:
    """Split servers into batches of at most `size`, as even as possible."""
    if not server_ids:
        return []
    count = -(-len(server_ids) // size)
    step, extra = divmod(len(server_ids), count)
    out, start = [], 0
    for i in range(count):
        end = start + step + (1 if i < extra else 0)
        out.append(list(server_ids[start:end]))
        start = end
    return out
