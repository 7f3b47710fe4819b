"""apply/decide over whole runs with a pure DRS model: waves as a DAG, end states, pauses."""

from __future__ import annotations

from drorch.domain.executions import Command, Execution
from drorch.engine.config import EngineConfig
from drorch.engine.decide import launch_wishes
from tests.unit.engine.factory import at, execution, sid
from tests.unit.engine.sim import PureDrs, step


def run(ex: Execution, drs: PureDrs, steps: int = 20) -> Execution:
    for i in range(steps):
        ex = step(ex, drs, at(i * 10))
        drs.finish(at(i * 10 + 5))
    return ex


def statuses(ex: Execution) -> dict[str, str]:
    return {w.name: w.status for w in ex.waves}


def test_a_clean_run_completes_wave_after_wave_in_order() -> None:
    drs = PureDrs()
    ex = run(execution([("a", 3), ("b", 2), ("c", 1)]), drs)
    assert ex.status == "COMPLETED"
    assert drs.started == [tuple(sid(i) for i in (1, 2, 3)), (sid(4), sid(5)), (sid(6),)]
    assert all(s.status == "LAUNCHED" and s.job_id for s in ex.servers())


def test_a_failed_required_server_fails_its_wave_skips_dependants_and_spares_branches() -> None:
    depends = {"b": ["a"], "c": ["b"], "d": ["a"]}
    drs = PureDrs(fails={sid(2)})
    ex = run(execution([("a", 1), ("b", 1), ("c", 1), ("d", 1)], depends=depends), drs)
    assert statuses(ex) == {"a": "COMPLETED", "b": "FAILED", "c": "SKIPPED", "d": "COMPLETED"}
    assert ex.status == "PARTIAL"
    assert ex.wave("c").servers[0].status == "SKIPPED"


def test_a_failed_optional_server_completes_the_wave_but_not_the_execution() -> None:
    drs = PureDrs(fails={sid(2)})
    ex = run(execution([("a", 2)], optional=(sid(2),)), drs)
    assert statuses(ex) == {"a": "COMPLETED"}
    assert ex.status == "PARTIAL"


def test_no_completed_wave_means_failed() -> None:
    ex = run(execution([("a", 1), ("b", 1)]), PureDrs(fails={sid(1)}))
    assert statuses(ex) == {"a": "FAILED", "b": "SKIPPED"}
    assert ex.status == "FAILED"


def test_pause_before_holds_the_wave_until_resume() -> None:
    drs = PureDrs()
    ex = run(execution([("a", 1), ("b", 1)], pause_before=("b",)), drs)
    assert (ex.status, ex.wave("b").status) == ("PAUSED", "HELD")
    assert len(drs.started) == 1
    resume = Command(action="resume", actor="op", at=at(500))
    ex = step(ex, drs, at(500), [resume])
    drs.finish(at(505))
    ex = run(ex, drs, 3)
    assert ex.status == "COMPLETED"


def test_pause_lets_the_running_wave_finish_and_starts_nothing_new() -> None:
    drs = PureDrs()
    ex = step(execution([("a", 1), ("b", 1)]), drs, at(0))
    ex = step(ex, drs, at(1), [Command(action="pause", actor="op", at=at(1))])
    drs.finish(at(2))
    ex = run(ex, drs, 5)
    assert ex.status == "PAUSED"
    assert statuses(ex) == {"a": "COMPLETED", "b": "PENDING"}


def test_cancel_waits_for_running_jobs_then_ends_cancelled() -> None:
    drs = PureDrs()
    ex = step(execution([("a", 1), ("b", 1)]), drs, at(0))
    ex = step(ex, drs, at(1), [Command(action="cancel", actor="op", at=at(1))])
    assert ex.status == "CANCELLING"
    assert ex.wave("b").status == "CANCELLED"
    drs.finish(at(2))
    ex = run(ex, drs, 2)
    assert ex.status == "CANCELLED"
    assert ex.wave("a").servers[0].status == "LAUNCHED"
    assert len(drs.started) == 1


def test_cleanup_terminates_every_launched_instance() -> None:
    drs = PureDrs()
    ex = run(execution([("a", 3)]), drs)
    ex = step(ex, drs, at(900), [Command(action="terminate_instances", actor="op", at=at(900))])
    assert ex.cleanup_status == "IN_PROGRESS"
    drs.finish(at(905))
    ex = run(ex, drs, 2)
    assert ex.cleanup_status == "COMPLETED"
    assert {s.status for s in ex.servers()} == {"TERMINATED"}


def test_cleanup_keeps_the_launch_evidence_and_records_the_termination_apart() -> None:
    drs = PureDrs()
    ex = step(execution([("a", 2)]), drs, at(0))
    drs.finish(at(5))
    ex = step(ex, drs, at(10))
    assert ex.status == "COMPLETED"
    launch = {s.source_server_id: (s.started_at, s.ended_at, s.job_id) for s in ex.servers()}
    ex = step(ex, drs, at(900), [Command(action="terminate_instances", actor="op", at=at(900))])
    drs.finish(at(905))
    ex = step(ex, drs, at(960))
    assert ex.cleanup_status == "COMPLETED"
    terminate_job = next(b.job_id for b in ex.batches if b.kind == "TERMINATE")
    for server in ex.servers():
        evidence = (server.started_at, server.ended_at, server.job_id)
        assert evidence == launch[server.source_server_id]
        assert (server.started_at, server.ended_at) == (at(0), at(10))
        assert server.status == "TERMINATED" and server.launch_status == "LAUNCHED"
        assert server.terminated_at == at(960)
        assert server.terminate_job_id == terminate_job != server.job_id


def test_a_wave_over_one_hundred_servers_is_split_into_jobs() -> None:
    ex = step(execution([("big", 250)]), PureDrs(), at(0))
    sizes = [len(b.source_server_ids) for b in ex.batches]
    assert sizes == [84, 83, 83]
    assert not launch_wishes(ex, EngineConfig())


def test_apply_and_decide_never_change_their_input() -> None:
    drs = PureDrs(fails={sid(2)})
    ex = execution([("a", 3), ("b", 2)])
    for i in range(6):
        before = ex.model_dump_json()
        after = step(ex, drs, at(i * 10))
        assert ex.model_dump_json() == before
        drs.finish(at(i * 10 + 5))
        ex = after
