"""Quiet servers: skipping the fold of servers read as they were changes no outcome."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from drorch.adapters.aws.drs_convert import job_server
from drorch.domain.executions import Execution
from drorch.domain.statuses import DrsLaunchStatus
from drorch.engine import quiet
from drorch.engine.apply import apply
from drorch.engine.config import EngineConfig
from drorch.engine.working import working_copy, writable_at
from drorch.ports.drs import DrsJob
from tests.unit.engine.factory import at, execution, observation
from tests.unit.engine.sim import PureDrs, step

CONFIG = EngineConfig()
# Per read, each of the job's three servers: DRS's launch status (None: as the last read).
READ = st.lists(
    st.sampled_from([None, "PENDING", "IN_PROGRESS", "LAUNCHED", "FAILED"]), min_size=3, max_size=3
)


def launching() -> tuple[Execution, DrsJob]:
    """An execution whose one wave of three servers is in one started DRS job."""
    drs = PureDrs()
    ex = step(execution([("w", 3)]), drs, at(0))
    (job,) = drs.jobs.values()
    return ex, job


def report(job: DrsJob, statuses: list[str]) -> DrsJob:
    """The job as DRS reports it; one JobServer per value, as the DRS adapter hands them out."""
    parts = tuple(
        job_server(
            p.source_server_id, s, f"ri-{p.source_server_id[-4:]}" if s == "LAUNCHED" else None
        )
        for p, s in zip(job.servers, statuses, strict=True)
    )
    return DrsJob(job.job_id, job.type, job.initiated_by, "STARTED", servers=parts)


def fold(ex: Execution, job: DrsJob, n: int, *, cache: bool) -> Execution:
    if not cache:
        quiet._QUIET.clear()
    obs = observation(at(n), [job], instances=False)
    return apply(ex, obs, [], [], CONFIG).execution


def states(ex: Execution) -> list[tuple[object, ...]]:
    return [(s.status, s.launch_status, s.recovery_instance_id, s.error) for s in ex.servers()]


@settings(max_examples=40, deadline=None)
@given(st.lists(READ, min_size=1, max_size=8))
def test_folding_with_the_cache_ends_as_folding_every_server_each_time(reads: list) -> None:
    start, job = launching()
    cached = plain = start
    shown = ["PENDING"] * 3
    for n, read in enumerate(reads, start=1):
        shown = [old if new is None else new for old, new in zip(shown, read, strict=True)]
        seen = report(job, shown)
        cached = fold(cached, seen, n, cache=True)
        plain = fold(plain, seen, n, cache=False)
        assert states(cached) == states(plain)


def test_only_servers_not_quiet_are_looked_at_and_a_change_is_folded() -> None:
    ex, job = launching()
    running = report(job, ["IN_PROGRESS"] * 3)
    ex = fold(ex, running, 1, cache=True)  # servers take DRS's status: written, looked at again
    batch = ex.batches[0]
    assert list(quiet.to_examine(working_copy(ex), batch, running)) == [0, 1, 2]
    ex = fold(ex, running, 2, cache=True)  # nothing new: every server is quiet now
    assert list(quiet.to_examine(working_copy(ex), batch, running)) == []
    assert quiet.launching(working_copy(ex), batch) == 3
    again = fold(ex, report(job, ["IN_PROGRESS"] * 3), 3, cache=True)
    assert all(a is b for a, b in zip(again.servers(), ex.servers(), strict=True))
    one = report(job, ["LAUNCHED", "IN_PROGRESS", "IN_PROGRESS"])
    assert list(quiet.to_examine(working_copy(again), batch, one)) == [0]
    done = fold(again, one, 4, cache=True)
    assert [s.status for s in done.servers()] == ["LAUNCHED", "LAUNCHING", "LAUNCHING"]
    assert quiet.launching(working_copy(done), batch) is None  # server 0 was just written


def test_a_server_changed_since_the_remembered_fold_is_folded_again() -> None:
    ex, job = launching()
    running = report(job, ["IN_PROGRESS"] * 3)
    ex = fold(fold(ex, running, 1, cache=True), running, 2, cache=True)
    changed = working_copy(ex)
    writable_at(changed, 0, 1).launch_status = DrsLaunchStatus.PENDING  # a new object there
    again = fold(changed, running, 3, cache=True)
    assert again.waves[0].servers[1].launch_status == "IN_PROGRESS"
