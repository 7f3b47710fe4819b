"""Readiness of a plan's actions: the accounts they call AWS in, and the targets they touch.

An action's account is fine when it is a registered target account, or the account of one
of the plan's protection groups (those were accepted when the group was saved, e.g. the
hub's own or a sandbox fleet's), or one of the accounts this process reaches without a
role (the hub's, a sandbox fleet's: the readiness ports' `hub_accounts`). Anything else is
an error at save-time readiness and at start, naming the action.

The targets (tables, zones, aliases, distributions, stages, documents, functions) are looked
up by running each AWS action's executor in simulate mode, which reads and changes nothing:
a missing target is an error naming the action and AWS's own code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from drorch.domain.actions import Action, action_scope, plan_accounts
from drorch.domain.readiness import Finding, Severity, SubjectKind
from drorch.errors import DrorchError
from drorch.ports.steps import StepCall, StepExecutors, StepState
from drorch.ports.store import UnitOfWork

if TYPE_CHECKING:  # readiness_checks registers these checks: no import back at run time
    from drorch.services.readiness_checks import Context


def check_action_accounts(ctx: Context, uow: UnitOfWork) -> list[Finding]:
    """Each action that calls AWS names an account drorch can reach."""
    from drorch.services.readiness_checks import finding

    selected = set(ctx.snap.selected_waves)
    waves = [w for w in ctx.plan.waves if w.name in selected]
    scopes = {g.id: (g.account_id, g.region) for g in ctx.snap.groups}
    known = {g.account_id for g in ctx.snap.groups} | ctx.hub_accounts
    found = []
    for path, name, (account, region) in plan_accounts(waves, scopes):
        if account in known or uow.accounts.get(account) is not None:
            continue
        found.append(
            finding(
                "actions",
                "action-account-unregistered",
                Severity.ERROR,
                (SubjectKind.ACCOUNT, account),
                f"action {name!r} runs in account {account}, which is not registered",
                path=path,
                region=region,
            )
        )
    return found


def check_action_targets(ctx: Context, uow: UnitOfWork) -> list[Finding]:
    """Each AWS action's target exists as its executor sees it (a simulated call)."""
    from drorch.services.readiness_checks import finding

    if ctx.steps is None:
        return []
    kinds = set(ctx.steps.types())
    scopes = {g.id: (g.account_id, g.region) for g in ctx.snap.groups}
    selected = set(ctx.snap.selected_waves)
    found = []
    for i, wave in enumerate(ctx.plan.waves):
        for j, action in enumerate(wave.actions):
            scope = action_scope(action, wave, scopes)
            if wave.name not in selected or action.type not in kinds or scope is None:
                continue
            if action.params.get("recovered_instances"):
                continue  # its instances exist only once the wave's servers are launched
            problem = _looked_up(ctx.steps, ctx.plan.id, action, scope, ctx.drill)
            if problem is not None:
                severity, code, message = problem
                found.append(
                    finding(
                        "action-targets",
                        code,
                        severity,
                        (SubjectKind.ACCOUNT, scope[0]),
                        f"action {action.name!r} ({action.type}): {message}",
                        path=f"waves[{i}].actions[{j}]",
                        region=scope[1],
                    )
                )
    return found


def _looked_up(
    steps: StepExecutors, plan_id: str, action: Action, scope: tuple[str, str], drill: bool
) -> tuple[Severity, str, str] | None:
    """None when the simulated call found everything; else severity, code and message."""
    call = StepCall(
        execution_id=f"readiness-{plan_id}",
        name=action.name,
        type=action.type,
        params=action.params,
        account_id=scope[0],
        region=scope[1],
        idempotency_key=f"readiness:{plan_id}:{action.name}",
        drill=drill,
        simulate=True,
    )
    try:
        progress = steps.for_type(action.type).start(call)
    except DrorchError as exc:  # throttled or unreachable: not a verdict on the target
        return Severity.WARNING, "action-target-unchecked", f"could not be checked: {exc.detail}"
    if progress.state is StepState.FAILED:
        code = progress.error_code or "failed"
        return Severity.ERROR, "action-target-missing", f"{code}: {progress.error_message or ''}"
    return None
