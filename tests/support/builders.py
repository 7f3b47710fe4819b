"""Builders of domain objects for tests."""

from __future__ import annotations

import itertools
from typing import Any

from drorch.domain.groups import GroupDraft, Selection
from drorch.domain.inventory import SourceServer
from drorch.domain.plans import PlanDraft, Wave

ACCOUNT = "111122223333"
REGION = "us-east-1"
_serial = itertools.count(1)


def server_id(n: int) -> str:
    """A valid DRS source server id for the number n."""
    return f"s-{n:017x}"


def server(n: int | None = None, **fields: Any) -> SourceServer:
    """A source server in the default scope, overridable field by field."""
    n = next(_serial) if n is None else n
    base: dict[str, Any] = {
        "id": server_id(n),
        "account_id": ACCOUNT,
        "region": REGION,
        "hostname": f"host-{n:04d}",
        "tags": {},
    }
    return SourceServer(**{**base, **fields})


def group_draft(
    name: str, *, ids: list[str] | None = None, tags: dict[str, str] | None = None, **fields: Any
) -> GroupDraft:
    """A group draft selecting explicit ids or tags."""
    selection = Selection(server_ids=ids) if ids is not None else Selection(tags=tags)
    base: dict[str, Any] = {
        "name": name,
        "account_id": ACCOUNT,
        "region": REGION,
        "selection": selection,
    }
    return GroupDraft(**{**base, **fields})


def plan_draft(name: str, waves: list[tuple[str, list[str]]], **fields: Any) -> PlanDraft:
    """A plan draft with waves given as (name, group ids), each depending on the previous."""
    return PlanDraft(
        name=name, waves=[Wave(name=w, protection_group_ids=g) for w, g in waves], **fields
    )


# Every account the tests put groups in; test stores and servers register them all, as an
# operator registers target accounts before grouping their servers.
TEST_ACCOUNTS = (
    ACCOUNT,
    "444455556666",
    "123456789012",
    "210987654321",
    "999988887777",
    "999999999999",
    "000000000000",
    "000000000001",
    "000000000009",
    "222233330001",
    "222233330002",
    "222233330003",
    "222233330004",
)


def register_accounts(store: Any, account_ids: Any = TEST_ACCOUNTS) -> None:
    """Register target accounts (in both test Regions) that are not registered yet."""
    from drorch.domain.accounts import AccountDraft
    from drorch.services import accounts

    with store.read() as uow:
        known = {a.account_id for a in uow.accounts.all()}
    for account_id in account_ids:
        if account_id not in known:
            draft = AccountDraft(name=f"test-{account_id}", regions=[REGION, "us-west-2"])
            accounts.register_account(store=store, account_id=account_id, draft=draft)
