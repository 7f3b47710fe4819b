"""`dynamodb_restore` against moto over HTTP: restore, refusal, crash and reconcile, undo."""

from __future__ import annotations

from typing import Any

from drorch.adapters.aws.actions import AwsStepExecutors
from drorch.ports.steps import StepProgress, StepState
from tests.integration.actions.conftest import step_call, unique

KEY = [{"AttributeName": "pk", "KeyType": "HASH"}]
ATTRS = [{"AttributeName": "pk", "AttributeType": "S"}]


def _table(aws: Any, pitr: bool = True) -> str:
    name = unique("bookings")
    db = aws("dynamodb")
    db.create_table(
        TableName=name, KeySchema=KEY, AttributeDefinitions=ATTRS, BillingMode="PAY_PER_REQUEST"
    )
    db.put_item(TableName=name, Item={"pk": {"S": "b-1"}})
    if pitr:
        db.update_continuous_backups(
            TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
        )
    return name


def _restoring(aws: Any, suffix: str) -> tuple[str, str, dict[str, Any]]:
    """A fresh source table, the table a restore of it makes, and that restore's params."""
    source = _table(aws)
    target = f"{source}-{suffix}"
    return source, target, _latest(source, target)


def _latest(source: str, target: str) -> dict[str, Any]:
    """The params of a restore of `source`'s latest restorable time into `target`."""
    return {"source_table": source, "target_table": target, "latest": True}


def _finish(executor: Any, call: Any, progress: StepProgress) -> StepProgress:
    for _ in range(10):
        if progress.state != StepState.RUNNING:
            return progress
        progress = executor.poll(call, progress)
    raise AssertionError(f"still running: {progress}")


def test_restores_into_a_new_table_enables_pitr_and_undo_deletes_it(
    executors: AwsStepExecutors, aws: Any
) -> None:
    source, target, params = _restoring(aws, "restored")
    call = step_call("dynamodb_restore", {**params, "enable_pitr": True})
    executor = executors.for_type("dynamodb_restore")

    done = _finish(executor, call, executor.start(call))

    assert done.state == StepState.SUCCEEDED, done
    assert done.changed["table"] == target
    assert done.output["item_count"] == 1  # moto's restore copies the current items
    db = aws("dynamodb")
    pitr = db.describe_continuous_backups(TableName=target)["ContinuousBackupsDescription"]
    assert pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    undone = _finish(executor, call, executor.undo(call, done.changed))
    assert undone.state == StepState.SUCCEEDED, undone
    assert target not in db.list_tables()["TableNames"]
    assert source in db.list_tables()["TableNames"]


def test_a_missing_source_table_fails_with_the_aws_code(executors: AwsStepExecutors) -> None:
    params = {"source_table": unique("nope"), "target_table": unique("t"), "latest": True}
    call = step_call("dynamodb_restore", params)

    progress = executors.for_type("dynamodb_restore").start(call)

    assert progress.state == StepState.FAILED
    assert progress.error_code == "SourceTableNotFoundException"
    assert progress.error_message


def test_after_a_crash_reconcile_finds_the_restore_and_start_makes_no_second(
    executors: AwsStepExecutors, aws: Any
) -> None:
    _, target, params = _restoring(aws, "copy")
    call = step_call("dynamodb_restore", params)
    executor = executors.for_type("dynamodb_restore")
    assert executor.reconcile(call) is None  # intent recorded, nothing done yet

    executor.start(call)  # ... the call went out, then the worker died before recording it
    found = executor.reconcile(call)
    again = executor.start(call)

    assert found is not None and found.changed["table"] == target
    assert again.state != StepState.FAILED and again.changed["table"] == target
    tables = aws("dynamodb").list_tables()["TableNames"]
    assert tables.count(target) == 1


def test_a_target_table_drorch_did_not_restore_is_refused_and_left_alone(
    executors: AwsStepExecutors, aws: Any
) -> None:
    source = _table(aws)
    other = _table(aws, pitr=False)
    call = step_call("dynamodb_restore", _latest(source, other))

    progress = executors.for_type("dynamodb_restore").start(call)

    assert progress.state == StepState.FAILED
    assert progress.error_code == "TableAlreadyExistsException"
    assert progress.changed == {}  # so no undo ever deletes it
    assert other in aws("dynamodb").list_tables()["TableNames"]


def test_simulate_checks_the_source_and_changes_nothing(
    executors: AwsStepExecutors, aws: Any
) -> None:
    _, target, params = _restoring(aws, "sim")
    executor = executors.for_type("dynamodb_restore")

    seen = executor.start(step_call("dynamodb_restore", params, drill=True, simulate=True))
    off = executor.start(
        step_call(
            "dynamodb_restore",
            {**params, "source_table": _table(aws, pitr=False)},
            simulate=True,
        )
    )

    assert seen.state == StepState.SUCCEEDED and "would" in seen.output
    assert target not in aws("dynamodb").list_tables()["TableNames"]
    assert off.state == StepState.FAILED and off.error_code == "PointInTimeRecoveryUnavailable"


def test_a_table_another_step_restored_from_the_same_source_is_refused_and_kept(
    executors: AwsStepExecutors, aws: Any
) -> None:
    # A recovery restored the table; a later drill of the same plan must not adopt (and then
    # undo, deleting) it.
    _, target, params = _restoring(aws, "live")
    executor = executors.for_type("dynamodb_restore")
    recovery = step_call("dynamodb_restore", params)
    assert _finish(executor, recovery, executor.start(recovery)).state == StepState.SUCCEEDED

    drill = step_call("dynamodb_restore", params, drill=True)
    found = executor.reconcile(drill)
    started = executor.start(drill)

    for progress in (found, started):
        assert progress is not None and progress.state == StepState.FAILED
        assert progress.error_code == "TableAlreadyExistsException"
        assert recovery.idempotency_key in (progress.error_message or "")
        assert progress.changed == {}  # nothing for the drill's cleanup to undo
    assert target in aws("dynamodb").list_tables()["TableNames"]


def test_an_untagged_active_table_restored_from_the_source_is_refused(
    executors: AwsStepExecutors, aws: Any
) -> None:
    source, target, params = _restoring(aws, "byhand")
    aws("dynamodb").restore_table_to_point_in_time(
        SourceTableName=source, TargetTableName=target, UseLatestRestorableTime=True
    )
    call = step_call("dynamodb_restore", params)

    progress = executors.for_type("dynamodb_restore").start(call)

    assert progress.state == StepState.FAILED
    assert "drorch:step" in (progress.error_message or "")
    assert target in aws("dynamodb").list_tables()["TableNames"]
