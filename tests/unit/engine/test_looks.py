"""Per-job looks: a pass reads only the jobs due; a wake-up or a missing plan reads them all."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from drorch.domain.executions import Batch, Execution
from drorch.engine.config import EngineConfig
from drorch.engine.looks import Look, LookPlan, jobs_due, kept_looks, read_jobs, unchanged_gap
from drorch.engine.polling import job_looks, next_look
from tests.unit.engine.factory import ACCOUNT, KEY, REGION, T0, at, execution

CONFIG = EngineConfig()


def running(jobs: int) -> Execution:
    ex = execution([("a", 10 * jobs)])
    ex.status = "RUNNING"
    ex.waves[0].status = "RUNNING"
    ids = [s.source_server_id for s in ex.waves[0].servers]
    for server in ex.waves[0].servers:
        server.status = "LAUNCHING"
    for n in range(jobs):
        ex.batches.append(
            Batch(
                batch_id=f"b-{n}",
                kind="LAUNCH",
                wave="a",
                account_id=ACCOUNT,
                region=REGION,
                source_server_ids=ids[n * 10 : (n + 1) * 10],
                state="ACTIVE",
                job_id=f"j-{n}",
                job_status="STARTED",
                created_at=T0,
                started_at=T0,
            )
        )
    return ex


def plan(due_at: float, looks: dict[str, float]) -> LookPlan:
    return LookPlan(at(due_at), {b: Look(at(t), planned=at(0)) for b, t in looks.items()})


def test_a_pass_reads_only_the_jobs_due_and_those_due_soon() -> None:
    ex = running(3)
    kept = plan(10, {"b-0": 10, "b-1": 11, "b-2": 30})  # b-1: within a quarter of its gap
    assert jobs_due(ex, kept, at(10), CONFIG, woken=False) == {"b-0", "b-1"}


def test_without_a_plan_or_when_woken_every_job_is_read() -> None:
    ex = running(2)
    kept = plan(10, {"b-0": 10, "b-1": 30})
    assert jobs_due(ex, None, at(10), CONFIG, woken=False) is None
    assert jobs_due(ex, kept, at(10), CONFIG, woken=True) is None  # operator commands
    assert jobs_due(ex, kept, at(4), CONFIG, woken=False) is None  # woken before its time


def test_a_job_the_plan_does_not_know_is_read() -> None:
    ex = running(2)
    assert jobs_due(ex, plan(10, {"b-0": 10}), at(10), CONFIG, woken=False) == {"b-0", "b-1"}


def test_jobs_not_read_keep_their_look_and_read_ones_get_a_new_one() -> None:
    ex = running(2)
    before = plan(10, {"b-0": 10, "b-1": 30})
    read = read_jobs(ex, {KEY: frozenset({"j-0"})})
    assert read == {"b-0"}
    kept = kept_looks(before, read, at(10))
    looks = job_looks(ex, at(10), CONFIG, kept, before.jobs)
    assert looks["b-1"] == before.jobs["b-1"]
    assert looks["b-0"].planned == at(10) and looks["b-0"].at > at(10)
    assert next_look(ex, at(10), CONFIG, looks) == min(look.at for look in looks.values())


def test_a_job_read_unchanged_backs_off_up_to_the_cap() -> None:
    state = ("STARTED", 1)
    last = Look(at(10.5), planned=at(10), state=state)
    assert unchanged_gap(0.5, last, state, CONFIG) == 0.5 * CONFIG.unchanged_growth
    assert unchanged_gap(0.5, last, ("STARTED", 0), CONFIG) == 0.5  # it changed
    long_ago = Look(at(40), planned=at(10), state=state)
    assert unchanged_gap(0.5, long_ago, state, CONFIG) == CONFIG.unchanged_cap
    assert unchanged_gap(30.0, long_ago, state, CONFIG) == 30.0  # never sooner than policy


@settings(max_examples=40, deadline=None)
@given(
    gaps=st.lists(st.floats(min_value=0.5, max_value=30.0), min_size=1, max_size=6),
    now=st.floats(min_value=0.0, max_value=60.0),
)
def test_a_due_job_is_always_read_and_nothing_is_read_long_before_its_time(
    gaps: list[float], now: float
) -> None:
    ex = running(len(gaps))
    kept = LookPlan(at(now), {f"b-{n}": Look(at(gap), planned=at(0)) for n, gap in enumerate(gaps)})
    due = jobs_due(ex, kept, at(now), CONFIG, woken=False)
    assert due is not None
    for n, gap in enumerate(gaps):
        ahead = min(gap * CONFIG.look_ahead_fraction, CONFIG.look_ahead_cap)
        assert (f"b-{n}" in due) == (at(gap) <= at(now) + timedelta(seconds=ahead))
