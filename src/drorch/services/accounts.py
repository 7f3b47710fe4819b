"""Target account use cases: register, change, remove, verify."""

from __future__ import annotations

import re
from collections.abc import Collection

from drorch.domain.accounts import (
    ACCOUNT_ID,
    AccountDraft,
    AccountStatus,
    RegionCheck,
    TargetAccount,
    Verification,
    default_role_arn,
    new_external_id,
    role_problem,
)
from drorch.domain.common import utcnow
from drorch.errors import ConflictError, NotFoundError, ValidationError
from drorch.ports.accounts import AccountProbe
from drorch.ports.sessions import AccountAccess
from drorch.ports.store import Store, UnitOfWork
from drorch.services.audit import SYSTEM_AUDIT, AuditContext, record
from drorch.services.problems import require_version

NOUN = "target account"
SPOKE_TEMPLATE = "infra/target-account.yaml"


def register_account(
    *, store: Store, account_id: str, draft: AccountDraft, audit: AuditContext = SYSTEM_AUDIT
) -> TargetAccount:
    """Register an account with a fresh external id of its own."""
    check_account_id(account_id)
    role_arn = draft.role_arn or default_role_arn(account_id)
    _check_role(account_id, role_arn)
    now = utcnow()
    account = TargetAccount(
        account_id=account_id,
        name=draft.name,
        role_arn=role_arn,
        regions=draft.regions,
        external_id=new_external_id(),
        created_at=now,
        updated_at=now,
    )
    with store.transaction() as uow:
        uow.accounts.add(account)
        detail = {"name": account.name, "role_arn": role_arn, "regions": account.regions}
        record(uow, "account.create", "account", account_id, audit=audit, detail=detail)
    return account


def update_account(
    *,
    store: Store,
    account_id: str,
    draft: AccountDraft,
    if_match: int | None,
    version_named: bool = True,
    audit: AuditContext = SYSTEM_AUDIT,
) -> TargetAccount:
    """Change an account's name, role or Regions; a new role means verifying again."""
    with store.transaction() as uow:
        current = _require(uow, account_id)
        require_version(NOUN, account_id, current.version, if_match, named=version_named)
        role_arn = draft.role_arn or default_role_arn(account_id)
        _check_role(account_id, role_arn)
        changed_role = role_arn != current.role_arn
        account = current.model_copy(
            update={
                "name": draft.name,
                "role_arn": role_arn,
                "regions": draft.regions,
                "status": AccountStatus.UNVERIFIED if changed_role else current.status,
                "version": current.version + 1,
                "updated_at": utcnow(),
            }
        )
        uow.accounts.update(account, expected_version=current.version)
        detail = {"name": account.name, "role_arn": role_arn, "regions": account.regions}
        record(uow, "account.update", "account", account_id, audit=audit, detail=detail)
    return account


def remove_account(
    *,
    store: Store,
    account_id: str,
    if_match: int | None,
    version_named: bool = True,
    audit: AuditContext = SYSTEM_AUDIT,
) -> None:
    """Remove an account no protection group uses."""
    with store.transaction() as uow:
        account = _require(uow, account_id)
        require_version(NOUN, account_id, account.version, if_match, named=version_named)
        groups = uow.groups.in_account(account_id)
        if groups:
            names = ", ".join(repr(g.name) for g in groups)
            raise ConflictError(
                f"account {account_id} is used by protection group(s) {names}",
                conflicts=[{"group_id": g.id, "group_name": g.name} for g in groups],
            )
        uow.accounts.delete(account_id, expected_version=if_match)
        record(uow, "account.delete", "account", account_id, audit=audit)


def get_account(*, store: Store, account_id: str) -> TargetAccount:
    """One account."""
    with store.read() as uow:
        return _require(uow, account_id)


def list_accounts(*, store: Store) -> list[TargetAccount]:
    """Every registered account, by name."""
    with store.read() as uow:
        return uow.accounts.all()


def verify_account(
    *,
    store: Store,
    probe: AccountProbe | None,
    account_id: str,
    audit: AuditContext = SYSTEM_AUDIT,
) -> TargetAccount:
    """Assume the account's role and check every Region; the outcome is kept on the account."""
    account = get_account(store=store, account_id=account_id)
    if probe is None:
        raise ConflictError(
            f"cannot verify account {account_id}: this drorch has no way to reach AWS "
            "accounts configured (DRORCH_DRS_ENABLED is off)"
        )
    purpose = f"verify-{audit.actor}"
    checks = [
        probe.check(access_of(account), region, purpose=purpose) for region in account.regions
    ]
    verification = _verification(checks, audit.actor)
    with store.transaction() as uow:
        current = _require(uow, account_id)
        status = AccountStatus.VERIFIED if verification.ok else AccountStatus.FAILED
        updated = current.model_copy(
            update={
                "status": status,
                "last_verification": verification,
                "version": current.version + 1,
                "updated_at": utcnow(),
            }
        )
        uow.accounts.update(updated, expected_version=current.version)
        detail = {"ok": verification.ok, "missing": verification.missing_permissions}
        record(uow, "account.verify", "account", account_id, audit=audit, detail=detail)
    return updated


def _verification(checks: list[RegionCheck], actor: str) -> Verification:
    assumed = not any(c.failed_step == "sts:AssumeRole" for c in checks)
    failed = [c for c in checks if not c.ok]
    detail = "; ".join(f"{c.region}: {c.detail}" for c in failed if c.detail)
    return Verification(
        at=utcnow(),
        by=actor,
        ok=not failed,
        role_assumed=assumed,
        detail=detail,
        regions=checks,
    )


def access_of(account: TargetAccount) -> AccountAccess:
    """What the session provider needs to assume the account's role."""
    return AccountAccess(account.account_id, account.role_arn, account.external_id)


def check_group_account(uow: UnitOfWork, account_id: str, hub_accounts: Collection[str]) -> None:
    """422 naming account_id unless the account is registered or is the hub's own."""
    if account_id in hub_accounts or uow.accounts.get(account_id) is not None:
        return
    raise ValidationError(
        f"account {account_id} is not a registered target account: register it first "
        f"(drorch accounts add {account_id} ...)",
        [{"path": "account_id", "message": f"account {account_id} is not registered"}],
    )


def check_account_id(account_id: str) -> None:
    """422 naming account_id unless it is 12 digits."""
    if not re.match(ACCOUNT_ID, account_id):
        raise ValidationError(
            f"account id {account_id!r} must be 12 digits",
            [{"path": "account_id", "message": "must be 12 digits"}],
        )


def spoke_deploy_command(account: TargetAccount, hub_account_id: str | None) -> str:
    """The one-line command the spoke account's owner runs to create the role."""
    role_name = account.role_arn.rsplit("/", 1)[-1]
    hub = hub_account_id or "<hub account id>"
    return (
        f"aws cloudformation deploy --template-file {SPOKE_TEMPLATE} "
        f"--stack-name drorch-target --capabilities CAPABILITY_NAMED_IAM "
        f"--parameter-overrides HubAccountId={hub} ExternalId={account.external_id} "
        f"RoleName={role_name}"
    )


def _check_role(account_id: str, role_arn: str) -> None:
    problem = role_problem(account_id, role_arn)
    if problem is not None:
        raise ValidationError(
            f"role_arn of account {account_id} {problem}",
            [{"path": "role_arn", "message": problem}],
        )


def _require(uow: UnitOfWork, account_id: str) -> TargetAccount:
    account = uow.accounts.get(account_id)
    if account is None:
        raise NotFoundError(f"target account {account_id} is not registered")
    return account
