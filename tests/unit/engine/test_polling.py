"""Adaptive polling: rare while a job's end is far, fast near it, never a hot loop."""

from __future__ import annotations

from datetime import datetime

from drorch.domain.executions import Batch, Execution, Retry
from drorch.engine.config import EngineConfig
from drorch.engine.looks import Look
from drorch.engine.polling import job_looks, next_look, wave_last_jobs
from tests.unit.engine.factory import ACCOUNT, KEY, REGION, T0, at, execution, sid

CONFIG = EngineConfig(fast_poll=0.5, slow_poll=30.0)


def running(expected: float | None, launched: int = 0) -> Execution:
    ex = execution([("a", 10), ("b", 1)])
    ex.status = "RUNNING"
    ex.waves[0].status = "RUNNING"
    ex.expected_job_seconds = expected
    ids = [s.source_server_id for s in ex.waves[0].servers]
    for i, server in enumerate(ex.waves[0].servers):
        server.status = "LAUNCHED" if i < launched else "LAUNCHING"
    ex.batches.append(
        Batch(
            batch_id="b-1",
            kind="LAUNCH",
            wave="a",
            account_id=ACCOUNT,
            region=REGION,
            source_server_ids=ids,
            state="ACTIVE",
            job_id="j-1",
            created_at=T0,
            started_at=T0,
        )
    )
    return ex


def gap(ex: Execution, now: datetime) -> float:
    look = next_look(ex, now, CONFIG)
    assert look is not None
    return (look - now).total_seconds()


def test_far_from_the_expected_end_it_looks_rarely() -> None:
    assert gap(running(300.0), at(10)) == 30.0


def test_near_the_expected_end_it_looks_fast() -> None:
    assert gap(running(300.0), at(280)) == 0.5


def test_a_late_job_is_looked_at_less_and_less_often() -> None:
    gaps = [gap(running(300.0), at(t)) for t in (400, 800, 2000)]
    assert gaps == sorted(gaps) and gaps[-1] == 30.0


def test_without_a_learned_duration_the_gap_grows_with_age() -> None:
    assert gap(running(None), at(4)) == 1.0
    assert gap(running(None), at(400)) == 30.0


def test_once_servers_finish_the_gap_shrinks_with_those_left() -> None:
    assert gap(running(300.0, launched=9), at(10)) == 0.5
    assert gap(running(300.0, launched=2), at(10)) > gap(running(300.0, launched=8), at(10))


def test_a_scope_backing_off_is_not_called_before_its_time() -> None:
    ex = running(300.0, launched=10)
    ex.waves[0].status = "COMPLETED"
    ex.batches[0].state = "DONE"
    ex.waves[1].status = "RUNNING"
    ex.retries[KEY] = Retry(attempts=3, not_before=at(100))
    assert next_look(ex, at(10), CONFIG) == at(100)


def test_a_finished_execution_needs_no_look() -> None:
    ex = execution([("a", 1)])
    ex.status = "COMPLETED"
    ex.cleanup_status = "COMPLETED"
    assert next_look(ex, at(1), CONFIG) is None
    assert sid(1)


def second_job(ex: Execution) -> Execution:
    """Split wave a's servers over two open jobs (b-1: the first five, b-2: the rest)."""
    ids = [s.source_server_id for s in ex.waves[0].servers]
    first = ex.batches[0]
    first.source_server_ids = ids[:5]
    ex.batches.append(first.model_copy(update={"batch_id": "b-2", "job_id": "j-2"}))
    ex.batches[1].source_server_ids = ids[5:]
    return ex


def test_a_job_read_unchanged_backs_off_unless_its_end_ends_the_wave() -> None:
    now, config = at(100), EngineConfig(unchanged_cap=60.0)
    # Last time a 40-second gap, and the job showed the same: grown, 50 s beats the policy's 25.
    before = {b: Look(at=now, planned=at(60), state=(None, 10)) for b in ("b-1", "b-2")}
    alone = running(None)
    assert wave_last_jobs(alone, alone.open_batches()) == {"b-1"}
    assert job_looks(alone, now, config, previous=before)["b-1"].gap == 25.0  # not grown
    both = second_job(running(None))
    assert wave_last_jobs(both, both.open_batches()) == set()
    before = {b: Look(at=now, planned=at(60), state=(None, 5)) for b in ("b-1", "b-2")}
    grown = job_looks(both, now, config, previous=before)
    assert grown["b-1"].gap == grown["b-2"].gap == 50.0


def test_a_wave_with_servers_still_to_launch_has_no_last_job() -> None:
    ex = running(None)
    ex.waves[0].servers[0].status = "PENDING"
    assert wave_last_jobs(ex, ex.open_batches()) == set()
