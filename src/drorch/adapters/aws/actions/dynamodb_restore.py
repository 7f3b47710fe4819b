"""`dynamodb_restore` over DynamoDB: the target table's name is the idempotency key.

A restore is found again by describing the target table. The table is this step's only when
it was restored from this step's source and carries this step's `drorch:step` tag (set right
after the restore call, and again once ACTIVE, since DynamoDB may refuse tags while the table
is CREATING), or carries no tag yet and is still CREATING (a crash between the call and the
tag). Any other existing table is refused and never deleted by an undo: another execution
(say, the recovery a later drill of the same plan would otherwise take over) or a person made
it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from drorch.adapters.aws.actions.base import (
    AwsExecutor,
    error_code,
    failed,
    running,
    succeeded,
)
from drorch.domain.steps.dynamodb_restore import DynamodbRestoreParams
from drorch.ports.steps import StepCall, StepProgress

GONE = {"ResourceNotFoundException", "TableNotFoundException"}
STEP_TAG = "drorch:step"  # value: the idempotency key of the step that restored the table


def _params(call: StepCall) -> DynamodbRestoreParams:
    return DynamodbRestoreParams.model_validate(call.params)


class DynamodbRestore(AwsExecutor):
    """Restores into a new table, waits ACTIVE, optionally enables PITR; undo deletes it."""

    service = "dynamodb"

    def _start(self, call: StepCall) -> StepProgress:
        found = self._reconcile(call)
        if found is not None:
            return found
        p = _params(call)
        try:
            table = self._restore(call, p)
        except ClientError as exc:
            if error_code(exc) != "TableAlreadyExistsException":
                raise
            return self._reconcile(call) or failed("TableAlreadyExistsException", str(exc))
        self._mark(call, table)
        return self._progress(call, p, table)

    def _mark(self, call: StepCall, table: Mapping[str, Any]) -> None:
        """Tag the table with this step's key; a CREATING table may refuse it (retried later)."""
        try:
            self.client(call).tag_resource(
                ResourceArn=str(table["TableArn"]),
                Tags=[{"Key": STEP_TAG, "Value": call.idempotency_key}],
            )
        except ClientError as exc:
            if error_code(exc) not in {"ResourceInUseException", *GONE}:
                raise

    def _owner(self, call: StepCall, table: Mapping[str, Any]) -> str | None:
        """The idempotency key the table is tagged with, if any."""
        tags = self.client(call).list_tags_of_resource(ResourceArn=str(table["TableArn"]))
        found = [t["Value"] for t in tags.get("Tags", []) if t.get("Key") == STEP_TAG]
        return str(found[0]) if found else None

    def _restore(self, call: StepCall, p: DynamodbRestoreParams) -> dict[str, Any]:
        db = self.client(call)
        if p.backup_arn is not None:
            answer = db.restore_table_from_backup(
                TargetTableName=p.target_table, BackupArn=p.backup_arn
            )
        else:
            when: dict[str, Any] = (
                {"UseLatestRestorableTime": True}
                if p.latest
                else {"RestoreDateTime": p.point_in_time}
            )
            answer = db.restore_table_to_point_in_time(
                SourceTableName=p.source_table, TargetTableName=p.target_table, **when
            )
        return dict(answer["TableDescription"])

    def _describe(self, call: StepCall, name: str) -> dict[str, Any] | None:
        try:
            return dict(self.client(call).describe_table(TableName=name)["Table"])
        except ClientError as exc:
            if error_code(exc) in GONE:
                return None
            raise

    def _reconcile(self, call: StepCall) -> StepProgress | None:
        p = _params(call)
        table = self._describe(call, p.target_table)
        if table is None:
            return None
        if not _restored_from(table, p):
            return failed(
                "TableAlreadyExistsException",
                f"table {p.target_table} exists and was not restored from "
                f"{p.backup_arn or p.source_table}: choose another target_table",
            )
        refusal = self._not_ours(call, table)
        if refusal is not None:
            return failed("TableAlreadyExistsException", f"table {p.target_table} {refusal}")
        return self._progress(call, p, table)

    def _not_ours(self, call: StepCall, table: Mapping[str, Any]) -> str | None:
        """Why an existing restored table is not this step's, or None when it is."""
        owner = self._owner(call, table)
        if owner == call.idempotency_key:
            return None
        if owner is not None:
            return f"was restored by another drorch step ({owner}): choose another target_table"
        if table.get("TableStatus") == "CREATING":
            return None  # restored by this step's call just before a crash, tag not yet set
        return (
            f"exists without a {STEP_TAG} tag (restored outside this step): "
            "delete it or choose another target_table"
        )

    def _progress(
        self, call: StepCall, p: DynamodbRestoreParams, table: Mapping[str, Any]
    ) -> StepProgress:
        status = str(table.get("TableStatus", ""))
        output = {"table": p.target_table, "table_status": status}
        changed = {
            "table": p.target_table,
            "table_arn": table.get("TableArn"),
            # What a failed undo leaves behind, as a drill's cleanup lists it.
            "resource": f"DynamoDB table {p.target_table} ({call.account_id}/{call.region})",
        }
        if status in ("ACTIVE", "CREATING", "UPDATING"):
            return running(output, **changed)  # the poll turns PITR on and finishes
        return failed("TableNotActive", f"table {p.target_table} is {status}", changed)

    def _poll(self, call: StepCall, last: StepProgress) -> StepProgress:
        p = _params(call)
        table = self._describe(call, p.target_table)
        if table is None:
            return failed("ResourceNotFoundException", f"table {p.target_table} disappeared")
        progress = self._progress(call, p, table)
        if progress.output.get("table_status") != "ACTIVE":
            return progress
        self._mark(call, table)
        if p.enable_pitr:
            self.client(call).update_continuous_backups(
                TableName=p.target_table,
                PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
            )
        items = table.get("ItemCount")
        output = {**progress.output, "item_count": items, "pitr": p.enable_pitr}
        return succeeded(output, **progress.changed)

    def _undo(self, call: StepCall, changed: Mapping[str, Any]) -> StepProgress:
        name = str(changed["table"])
        try:
            self.client(call).delete_table(TableName=name)
        except ClientError as exc:
            if error_code(exc) not in GONE:
                raise
        return self._poll_undo(call, running({"table": name}))

    def _poll_undo(self, call: StepCall, last: StepProgress) -> StepProgress:
        name = str(last.output["table"])
        if self._describe(call, name) is None:
            return succeeded({"table": name, "deleted": True})
        return running({"table": name})

    def _simulate(self, call: StepCall) -> StepProgress:
        p = _params(call)
        db = self.client(call)
        if p.backup_arn is not None:
            db.describe_backup(BackupArn=p.backup_arn)
        else:
            backups = db.describe_continuous_backups(TableName=p.source_table)
            pitr = backups["ContinuousBackupsDescription"].get("PointInTimeRecoveryDescription", {})
            if pitr.get("PointInTimeRecoveryStatus") != "ENABLED":
                return failed("PointInTimeRecoveryUnavailable", f"{p.source_table}: PITR is off")
        if self._describe(call, p.target_table) is not None:
            return failed("TableAlreadyExistsException", f"table {p.target_table} exists")
        source = p.backup_arn or p.source_table
        return succeeded({"would": f"restore {source} into new table {p.target_table}"})


def _restored_from(table: Mapping[str, Any], p: DynamodbRestoreParams) -> bool:
    summary = table.get("RestoreSummary") or {}
    if p.backup_arn is not None:
        return bool(summary.get("SourceBackupArn") == p.backup_arn)
    return str(summary.get("SourceTableArn", "")).endswith(f":table/{p.source_table}")
