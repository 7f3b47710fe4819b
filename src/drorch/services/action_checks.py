"""Readiness of a plan's actions: every account an action calls AWS in must be reachable.

An action's account is fine when it is a registered target account, or the account of one
of the plan's protection groups (those were accepted when the group was saved, e.g. the
hub's own or a sandbox fleet's). Anything else is an error at save-time readiness and at
start, naming the action.
"""

from __future__ import annotations

from drorch.domain.actions import plan_accounts
from drorch.domain.readiness import Finding, Severity, SubjectKind
from drorch.ports.store import UnitOfWork
from drorch.services.readiness_checks import Context, finding


def check_action_accounts(ctx: Context, uow: UnitOfWork) -> list[Finding]:
    """Each action that calls AWS names an account drorch can reach."""
    selected = set(ctx.snap.selected_waves)
    waves = [w for w in ctx.plan.waves if w.name in selected]
    scopes = {g.id: (g.account_id, g.region) for g in ctx.snap.groups}
    known = {g.account_id for g in ctx.snap.groups}
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
