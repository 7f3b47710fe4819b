"""Pure rules for follow-up reads: a finished job closes only once its results are read."""

from __future__ import annotations

from drorch.domain.executions import Execution
from drorch.engine.apply import apply
from drorch.engine.config import EngineConfig
from drorch.engine.observe import DrsFault, Observation, ScopeView
from drorch.engine.polling import next_look
from drorch.ports.drs import JobLogItem
from tests.unit.engine.factory import KEY, add_instances, at, execution, sid
from tests.unit.engine.sim import PureDrs, step

CONFIG = EngineConfig()


def finished(fails: set[str] | None = None) -> tuple[Execution, PureDrs]:
    """Wave a (two servers) started, and its DRS job completed."""
    drs = PureDrs(fails=fails or set())
    ex = step(execution([("a", 2), ("b", 1)]), drs, at(0))
    drs.finish(at(300))
    return ex, drs


def seen(drs: PureDrs, *, instances: bool, logs: bool = True) -> Observation:
    view = ScopeView(jobs=dict(drs.jobs), listed=True)
    if instances:
        add_instances(view)
    if logs:
        view.log_items = {
            j: [JobLogItem("LAUNCH_FAILED", at(200), sid(2), "no capacity")] for j in drs.jobs
        }
    else:
        view.logs_unread = set(drs.jobs)
    return Observation(now=at(310), scopes={KEY: view})


def test_a_completed_job_whose_instances_were_not_read_stays_open_and_its_wave_running() -> None:
    ex, drs = finished()
    after = apply(ex, seen(drs, instances=False), [], [], CONFIG).execution
    assert [(b.state, b.job_status) for b in after.batches] == [("ACTIVE", "COMPLETED")]
    assert {s.status for s in after.wave("a").servers} == {"LAUNCHED"}
    assert after.wave("a").status == "RUNNING" and after.wave("b").status == "PENDING"
    assert next_look(after, at(310), CONFIG) == at(310.5)  # read again soon
    done = apply(after, seen(drs, instances=True), [], [], CONFIG).execution
    assert [b.state for b in done.batches] == ["DONE"]
    assert all(s.ec2_instance_id for s in done.wave("a").servers)
    assert done.wave("a").status == "COMPLETED" and done.wave("b").status == "RUNNING"


def test_a_failure_whose_reason_was_not_read_waits_for_it() -> None:
    ex, drs = finished(fails={sid(2)})
    after = apply(ex, seen(drs, instances=True, logs=False), [], [], CONFIG).execution
    failing = next(s for s in after.servers() if s.source_server_id == sid(2))
    assert failing.status == "LAUNCHING" and failing.error is None
    assert [b.state for b in after.batches] == ["ACTIVE"]
    done = apply(after, seen(drs, instances=True), [], [], CONFIG).execution
    failed = next(s for s in done.servers() if s.source_server_id == sid(2))
    assert (failed.status, failed.error) == ("FAILED", "LAUNCH_FAILED no capacity")
    assert [b.state for b in done.batches] == ["DONE"]


def test_a_scope_backing_off_is_not_polled_early_for_its_jobs() -> None:
    ex, drs = finished()
    view = seen(drs, instances=False)
    view.scopes[KEY].faults.append(
        DrsFault("DescribeRecoveryInstances", "ThrottlingException", "slow down", 20.0)
    )
    after = apply(ex, view, [], [], CONFIG).execution
    assert after.retries[KEY].not_before == at(330)
    assert next_look(after, at(310), CONFIG) == at(330)


def test_an_answered_read_without_the_instance_closes_the_batch_and_says_so() -> None:
    ex, drs = finished()
    view = ScopeView(jobs=dict(drs.jobs), listed=True)
    view.instances_checked = {sid(1), sid(2)}  # DRS answered, listing no instance at all
    applied = apply(ex, Observation(now=at(310), scopes={KEY: view}), [], [], CONFIG)
    assert [b.state for b in applied.execution.batches] == ["DONE"]
    unknown = [e.source_server_id for e in applied.events if e.kind == "server.instance-unknown"]
    assert unknown == [sid(1), sid(2)]
