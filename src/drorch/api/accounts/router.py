"""/api/v1/accounts: the target accounts drorch reaches through an assumed role."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response, status

from drorch.api.accounts.schemas import AccountCreate, AccountRead, AccountUpdate
from drorch.api.deps import ContainerDep, IfMatch, set_etag
from drorch.api.echo import split_echo
from drorch.api.security import audited, require
from drorch.bootstrap import Container
from drorch.domain.accounts import AccountDraft, TargetAccount
from drorch.domain.common import echo_problems
from drorch.domain.identity import Permission, Principal
from drorch.services import accounts
from drorch.services.audit import AuditContext
from drorch.services.problems import raise_if_problems

router = APIRouter(prefix="/api/v1/accounts", tags=["accounts"])
P = Permission
# Worked out anew on every read: what a client read back is no claim on them.
IGNORED_ECHO = {"status", "last_verification", "deploy_command"}


@router.get("")
def list_accounts(
    container: ContainerDep, _: Annotated[Principal, require(P.ACCOUNTS_READ)]
) -> list[AccountRead]:
    """Every registered target account, by name."""
    found = accounts.list_accounts(store=container.store)
    return [_read(a, container) for a in found]


@router.post("", status_code=status.HTTP_201_CREATED)
def register_account(
    body: AccountCreate,
    container: ContainerDep,
    response: Response,
    audit: Annotated[AuditContext, audited(P.ACCOUNTS_WRITE, "account.create")],
) -> AccountRead:
    """Register an account; drorch generates its external id. 409 when registered already."""
    draft = AccountDraft(name=body.name, role_arn=body.role_arn, regions=body.regions)
    account = accounts.register_account(
        store=container.store, account_id=body.account_id, draft=draft, audit=audit
    )
    set_etag(response, account.version)
    response.headers["Location"] = f"{router.prefix}/{account.account_id}"
    return _read(account, container)


@router.get("/{account_id}")
def get_account(
    account_id: str,
    container: ContainerDep,
    response: Response,
    _: Annotated[Principal, require(P.ACCOUNTS_READ)],
) -> AccountRead:
    """One account and its last verification."""
    account = accounts.get_account(store=container.store, account_id=account_id)
    set_etag(response, account.version)
    return _read(account, container)


@router.put("/{account_id}")
def update_account(
    account_id: str,
    body: AccountUpdate,
    container: ContainerDep,
    if_match: IfMatch,
    response: Response,
    audit: Annotated[AuditContext, audited(P.ACCOUNTS_WRITE, "account.update")],
) -> AccountRead:
    """Change name, role or Regions; 412 on a stale version, 428 without one."""
    draft, echoed = split_echo(body, AccountDraft)
    current = accounts.get_account(store=container.store, account_id=account_id)
    shown = {**current.model_dump(), "id": current.account_id}
    checked = {k: v for k, v in echoed.items() if k not in IGNORED_ECHO}
    raise_if_problems(echo_problems(checked, shown), "target account")
    account = accounts.update_account(
        store=container.store,
        account_id=account_id,
        draft=draft,
        if_match=if_match.expected(body.version),
        version_named=if_match.named(body.version),
        audit=audit,
    )
    set_etag(response, account.version)
    return _read(account, container)


@router.delete("/{account_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_account(
    account_id: str,
    container: ContainerDep,
    if_match: IfMatch,
    audit: Annotated[AuditContext, audited(P.ACCOUNTS_WRITE, "account.delete")],
) -> Response:
    """Remove an account; 409 names the groups that use it, 428 without If-Match."""
    accounts.remove_account(
        store=container.store,
        account_id=account_id,
        if_match=if_match.expected(),
        version_named=if_match.named(),
        audit=audit,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{account_id}/verify")
def verify_account(
    account_id: str,
    container: ContainerDep,
    response: Response,
    audit: Annotated[AuditContext, audited(P.ACCOUNTS_WRITE, "account.verify")],
) -> AccountRead:
    """Assume the role and check every Region; the result names each missing permission."""
    account = accounts.verify_account(
        store=container.store, probe=container.account_probe, account_id=account_id, audit=audit
    )
    set_etag(response, account.version)
    return _read(account, container)


def _read(account: TargetAccount, container: Container) -> AccountRead:
    command = accounts.spoke_deploy_command(account, container.settings.hub_account_id)
    return AccountRead.model_validate({**account.model_dump(), "deploy_command": command})
