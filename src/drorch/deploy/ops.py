"""Day-two commands over a deployed environment: status, rollback, destroy, spoke role."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from drorch.deploy import aliases, naming, prune, stack, ui
from drorch.deploy.aws import Aws, aws_errors
from drorch.deploy.context import Reporter, Target
from drorch.deploy.poststack import current_outputs
from drorch.errors import DeployError

DRIFT_DONE = {"DETECTION_COMPLETE", "DETECTION_FAILED"}


def status(target: Target, *, sleep: Callable[[float], None] = time.sleep) -> dict[str, Any]:
    """The stack's status, last change, drift, and where the live aliases point."""
    cfn = target.aws.client("cloudformation")
    name = naming.stack_name(target.env)
    described = stack.describe(cfn, name)
    if described is None:
        return {"stack": name, "status": "NOT_DEPLOYED"}
    changed = described.get("LastUpdatedTime") or described.get("CreationTime")
    return {
        "stack": name,
        "status": described["StackStatus"],
        "reason": described.get("StackStatusReason", ""),
        "updated": str(changed) if changed else None,
        "drift": drift(cfn, name, sleep=sleep),
        "aliases": aliases.status(target),
        "old_versions": prune.old_versions(target),
    }


def drift(cfn: Any, name: str, *, sleep: Callable[[float], None], tries: int = 20) -> str:
    """The stack's drift status (`IN_SYNC`, `DRIFTED`...), or why it is unknown."""
    try:
        with aws_errors("detect stack drift"):
            detection = cfn.detect_stack_drift(StackName=name)["StackDriftDetectionId"]
            for _ in range(tries):
                answer = cfn.describe_stack_drift_detection_status(StackDriftDetectionId=detection)
                if answer["DetectionStatus"] in DRIFT_DONE:
                    return str(answer.get("StackDriftStatus", answer["DetectionStatus"]))
                sleep(1.0)
    except DeployError as exc:
        return f"unknown ({exc.extra.get('code') or exc.detail})"
    return "unknown (detection still running)"


def rollback(target: Target, reporter: Reporter, *, overrides: Mapping[str, str]) -> dict[str, Any]:
    """Point the live aliases at the versions before (no stack update) and republish the UI."""
    outputs = current_outputs(target, overrides)
    return {
        "aliases": aliases.roll_back(target, reporter),
        "ui": _previous_ui(target, outputs, reporter),
    }


def _previous_ui(target: Target, outputs: Mapping[str, str], reporter: Reporter) -> str:
    s3 = target.aws.client("s3")
    bucket = naming.deployment_bucket(target.aws.account_id(), target.aws.region)
    history = ui.History(s3, bucket, target.env)
    digests = history.digests()
    if len(digests) < 2:
        reporter.step("UI: no previous release kept; left as it is")
        return "unchanged"
    config = ui.runtime_config(outputs, env=target.env, region=target.aws.region)
    release = ui.Release(history.files(digests[-2]), config)
    ui.upload(s3, outputs["UiBucketName"], release)
    history.save(digests[:-1])
    distribution = outputs.get("DistributionId")
    if distribution:
        ui.invalidate(target.aws.client("cloudfront"), distribution, f"rollback-{digests[-2][:16]}")
    reporter.step(f"UI: back to release {digests[-2][:16]}")
    return digests[-2][:16]


def destroy(
    target: Target,
    reporter: Reporter,
    *,
    delete_data: bool,
    overrides: Mapping[str, str],
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Back up the tables, empty the UI bucket, delete the stack; tables stay unless asked."""
    cfn = target.aws.client("cloudformation")
    name = naming.stack_name(target.env)
    described = stack.describe(cfn, name)
    if described is None:
        raise DeployError(f"environment {target.env} is not deployed (no {name})")
    outputs = current_outputs(target, overrides)
    tables = [table for table in outputs.get("TableNames", "").split(",") if table]
    backups = [_backup(target.aws, table, reporter) for table in tables]
    if outputs.get("UiBucketName"):
        _empty_bucket(target.aws.client("s3"), outputs["UiBucketName"], reporter)
    seen = stack.event_ids(cfn, name)
    with aws_errors(f"delete stack {name}"):
        cfn.delete_stack(StackName=name)
    outcome = stack.follow(
        cfn, described["StackId"], seen=seen, on_event=reporter.event, sleep=sleep
    )
    if outcome.status != "DELETE_COMPLETE":
        raise DeployError(outcome.summary(name))
    reporter.step(f"{name}: deleted")
    # Its functions (their versions) and its UI bucket are gone: a later stack of that name
    # starts afresh, or its deploy would find "this build is already published".
    aliases.history(target).save([])
    bucket = naming.deployment_bucket(target.aws.account_id(), target.aws.region)
    ui.History(target.aws.client("s3"), bucket, target.env).save([])
    if delete_data:
        _delete_tables(target.aws, tables, reporter)
    return {
        "stack": name,
        "status": "deleted",
        "backups": backups,
        "tables": tables,
        "tables_deleted": delete_data,
    }


def _backup(aws: Aws, table: str, reporter: Reporter) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    with aws_errors(f"back up table {table}"):
        answer = aws.client("dynamodb").create_backup(
            TableName=table, BackupName=f"{table}-destroy-{stamp}"
        )
    arn = str(answer["BackupDetails"]["BackupArn"])
    reporter.step(f"backed up {table}: {arn}")
    return arn


def _empty_bucket(s3: Any, bucket: str, reporter: Reporter) -> None:
    # A versioned bucket is empty only once every version and delete marker is gone.
    removed = 0
    with aws_errors(f"empty bucket {bucket}"):
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
            items = [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
            objects = [{"Key": item["Key"], "VersionId": item["VersionId"]} for item in items]
            if objects:
                s3.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})
                removed += len(objects)
    reporter.step(f"emptied {bucket} ({removed} object versions)")


def _delete_tables(aws: Aws, tables: list[str], reporter: Reporter) -> None:
    dynamodb = aws.client("dynamodb")
    for table in tables:
        with aws_errors(f"delete table {table}"):
            dynamodb.delete_table(TableName=table)
        reporter.step(f"deleted table {table} (its backup stays)")


def target_role(
    aws: Aws,
    reporter: Reporter,
    *,
    infra_dir: Path,
    hub_account: str,
    external_id: str,
    role_name: str,
) -> dict[str, Any]:
    """Deploy infra/target-account.yaml (the spoke role) into the credentials' account."""
    cfn = aws.client("cloudformation")
    parameters = [
        {"ParameterKey": "HubAccountId", "ParameterValue": hub_account},
        {"ParameterKey": "ExternalId", "ParameterValue": external_id},
        {"ParameterKey": "RoleName", "ParameterValue": role_name},
    ]
    body = (infra_dir / "target-account.yaml").read_text()
    planned = stack.plan(
        cfn,
        name=naming.TARGET_STACK,
        existing=stack.describe(cfn, naming.TARGET_STACK),
        template={"TemplateBody": body},
        parameters=parameters,
        tags={"drorch:role": "target"},
    )
    if planned.empty:
        stack.discard(cfn, planned)
        reporter.step(f"{naming.TARGET_STACK}: no changes")
        status_text = "unchanged"
    else:
        reporter.changes(planned.rows)
        outcome = stack.execute(cfn, planned, on_event=reporter.event)
        if not outcome.ok:
            raise DeployError(outcome.summary(naming.TARGET_STACK))
        status_text = outcome.status
    described = stack.describe(cfn, naming.TARGET_STACK) or {}
    return {
        "stack": naming.TARGET_STACK,
        "status": status_text,
        "outputs": stack.outputs(described),
    }
