"""The target-account part of the store contract."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from drorch.domain.accounts import (
    AccountStatus,
    RegionCheck,
    TargetAccount,
    Verification,
    default_role_arn,
)
from drorch.domain.groups import ProtectionGroup, Selection
from drorch.errors import ConflictError, NotFoundError, PreconditionFailedError
from drorch.ports.store import Store

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def an_account(account_id: str, name: str, **fields: object) -> TargetAccount:
    base: dict[str, object] = {
        "account_id": account_id,
        "name": name,
        "role_arn": default_role_arn(account_id),
        "regions": ["us-east-1"],
        "external_id": f"drorch-ext-{account_id}",
        "created_at": NOW,
        "updated_at": NOW,
    }
    return TargetAccount.model_validate({**base, **fields})


def test_add_get_and_list_by_name(store: Store) -> None:
    with store.transaction() as uow:
        uow.accounts.add(an_account("111111111111", "zeta"))
        uow.accounts.add(an_account("222222222222", "Alpha"))
    with store.read() as uow:
        assert uow.accounts.get("111111111111") == an_account("111111111111", "zeta")
        assert uow.accounts.get("333333333333") is None
        assert [a.name for a in uow.accounts.all()] == ["Alpha", "zeta"]


def test_the_same_account_twice_is_a_conflict_and_writes_nothing(store: Store) -> None:
    with store.transaction() as uow:
        uow.accounts.add(an_account("111111111111", "first"))
    with pytest.raises(ConflictError, match="111111111111"), store.transaction() as uow:
        uow.accounts.add(an_account("111111111111", "second"))
    with store.read() as uow:
        assert [a.name for a in uow.accounts.all()] == ["first"]


def test_update_keeps_the_verification_and_checks_the_version(store: Store) -> None:
    account = an_account("111111111111", "one")
    with store.transaction() as uow:
        uow.accounts.add(account)
    check = RegionCheck(
        region="us-east-1",
        ok=False,
        failed_step="drs:DescribeJobs",
        missing_permissions=["drs:DescribeJobs"],
    )
    verified = account.model_copy(
        update={
            "version": 2,
            "status": AccountStatus.FAILED,
            "last_verification": Verification(
                at=NOW, by="alice", ok=False, role_assumed=True, regions=[check]
            ),
        }
    )
    with store.transaction() as uow:
        uow.accounts.update(verified, expected_version=1)
    with pytest.raises(PreconditionFailedError), store.transaction() as uow:
        uow.accounts.update(verified.model_copy(update={"version": 3}), expected_version=1)
    with store.read() as uow:
        stored = uow.accounts.get("111111111111")
    assert stored == verified
    assert stored is not None and stored.last_verification is not None
    assert stored.last_verification.missing_permissions == ["drs:DescribeJobs"]


def test_delete_checks_existence_and_version(store: Store) -> None:
    with store.transaction() as uow:
        uow.accounts.add(an_account("111111111111", "one"))
    with pytest.raises(NotFoundError), store.transaction() as uow:
        uow.accounts.delete("999999999999", expected_version=None)
    with pytest.raises(PreconditionFailedError), store.transaction() as uow:
        uow.accounts.delete("111111111111", expected_version=7)
    with store.transaction() as uow:
        uow.accounts.delete("111111111111", expected_version=1)
    with store.read() as uow:
        assert uow.accounts.all() == []


def test_groups_in_account_lists_only_that_accounts_groups(store: Store) -> None:
    def group(n: int, account_id: str) -> ProtectionGroup:
        return ProtectionGroup(
            id=f"pg-{n:012x}",
            name=f"g-{n}",
            account_id=account_id,
            region="us-east-1",
            selection=Selection(tags={"n": str(n)}),
            created_at=NOW,
            updated_at=NOW,
        )

    with store.transaction() as uow:
        for n, account_id in [(2, "111111111111"), (1, "111111111111"), (3, "222222222222")]:
            uow.groups.add(group(n, account_id))
    with store.read() as uow:
        assert [g.name for g in uow.groups.in_account("111111111111")] == ["g-1", "g-2"]
        assert uow.groups.in_account("333333333333") == []


def test_a_read_inside_a_transaction_joins_it_and_leaves_it_open(store: Store) -> None:
    # Adapters look accounts up while a use case holds its transaction (preflight, act).
    with store.transaction() as uow:
        uow.accounts.add(an_account("111111111111", "one"))
        with store.read() as inner:
            assert [a.account_id for a in inner.accounts.all()] == ["111111111111"]
        uow.accounts.add(an_account("222222222222", "two"))
    with store.read() as uow:
        assert len(uow.accounts.all()) == 2
