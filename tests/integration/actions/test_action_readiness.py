"""Readiness looks up each AWS action's target by a simulated call, against moto server."""

from __future__ import annotations

from typing import Any

from drorch.adapters.aws.actions import AwsStepExecutors
from drorch.adapters.clock import SystemClock
from drorch.domain.actions import Action
from drorch.domain.common import utcnow
from drorch.domain.executions import Snapshot
from drorch.domain.plans import RecoveryPlan, Wave
from drorch.domain.readiness import Severity, Trigger
from drorch.services.action_checks import check_action_targets
from drorch.services.readiness_checks import Context
from tests.integration.actions.conftest import ACCOUNT, REGION, unique
from tests.integration.actions.test_dynamodb_restore import _table


def restore(name: str, source: str, **params: Any) -> Action:
    return Action(
        name=name,
        type="dynamodb_restore",
        params={"source_table": source, "target_table": unique("restored"), "latest": True}
        | params,
        account_id=ACCOUNT,
        region=REGION,
    )


def context(executors: AwsStepExecutors, waves: list[Wave], selected: list[str]) -> Context:
    now = utcnow()
    plan = RecoveryPlan(id="rp-ready", name="ready", waves=waves, created_at=now, updated_at=now)
    return Context(
        plan=plan,
        snap=Snapshot(plan=plan, groups=[], servers=[], selected_waves=selected),
        invalid=[],
        members={},
        inventory={},
        trigger=Trigger.ON_DEMAND,
        clock=SystemClock(),
        steps=executors,
    )


def test_a_missing_target_is_an_error_naming_the_action_and_aws_s_code(
    executors: AwsStepExecutors, aws: Any
) -> None:
    present = _table(aws)
    waves = [
        Wave(name="data", actions=[restore("ok", present), restore("gone", unique("missing"))]),
        Wave(name="later", actions=[restore("unselected", unique("missing"))]),
    ]
    [problem] = check_action_targets(context(executors, waves, ["data"]), uow=None)  # type: ignore[arg-type]
    assert problem.severity is Severity.ERROR and problem.code == "action-target-missing"
    assert problem.detail["path"] == "waves[0].actions[1]"
    assert "action 'gone' (dynamodb_restore)" in problem.message
    assert "ResourceNotFound" in problem.message or "TableNotFound" in problem.message
    assert problem.subject.id == ACCOUNT


def test_a_source_without_pitr_is_found_before_the_drill_needs_it(
    executors: AwsStepExecutors, aws: Any
) -> None:
    no_pitr = _table(aws, pitr=False)
    waves = [Wave(name="data", actions=[restore("restore", no_pitr)])]
    [problem] = check_action_targets(context(executors, waves, ["data"]), uow=None)  # type: ignore[arg-type]
    assert "PointInTimeRecoveryUnavailable" in problem.message
    # Nothing was created by looking: the target table does not exist.
    target = waves[0].actions[0].params["target_table"]
    assert target not in aws("dynamodb").list_tables()["TableNames"]


def test_without_aws_executors_there_is_nothing_to_look_up(executors: AwsStepExecutors) -> None:
    waves = [Wave(name="data", actions=[restore("gone", unique("missing"))])]
    ctx = context(executors, waves, ["data"])
    ctx.steps = None
    assert check_action_targets(ctx, uow=None) == []  # type: ignore[arg-type]
