"""Protection group use cases."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from drorch.domain.common import FieldProblem, echo_problems, new_id, utcnow
from drorch.domain.groups import (
    GroupDraft,
    ProtectionGroup,
    Selection,
    check_launch_settings,
    check_selection,
    membership_conflicts,
    resolve_selection,
    selection_warnings,
)
from drorch.domain.inventory import SourceServer
from drorch.errors import ConflictError, NotFoundError
from drorch.ports.store import ListQuery, Page, Store, UnitOfWork
from drorch.services.accounts import check_group_account
from drorch.services.audit import SYSTEM_AUDIT, AuditContext, record
from drorch.services.problems import raise_if_problems, require_version

NOUN = "protection group"


@dataclass(frozen=True)
class GroupView:
    """A group with the ids of the servers it currently holds, and what it does in vain."""

    group: ProtectionGroup
    members: list[str]
    warnings: list[FieldProblem] = field(default_factory=list)

    @classmethod
    def of(cls, group: ProtectionGroup, members: list[str]) -> GroupView:
        """The view, with the warnings its members imply."""
        return cls(group, members, group_warnings(group, members))


@dataclass(frozen=True)
class SelectionPreview:
    """The servers a selection would pick, those another group holds, and every holder."""

    servers: list[SourceServer]
    conflicts: list[dict[str, str]]
    holders: dict[str, tuple[str, str]]  # server id -> (group id, group name) holding it now
    warnings: list[FieldProblem] = field(default_factory=list)


def group_warnings(group: ProtectionGroup, members: list[str]) -> list[FieldProblem]:
    """A group's selection matching nothing, and overrides of servers it does not select."""
    return selection_warnings(
        group.selection,
        group.server_overrides,
        members,
        account_id=group.account_id,
        region=group.region,
    )


def create_group(
    *,
    store: Store,
    draft: GroupDraft,
    audit: AuditContext = SYSTEM_AUDIT,
    hub_accounts: Collection[str] = (),
) -> GroupView:
    """Create a group after checking its account, selection, settings, name and membership.

    The account must be registered, or be one of `hub_accounts` (reached without a role).
    """
    now = utcnow()
    group = ProtectionGroup(id=new_id("pg"), created_at=now, updated_at=now, **_fields(draft))
    with store.transaction() as uow:
        check_group_account(uow, group.account_id, hub_accounts)
        members = _checked_members(uow, group)
        uow.groups.add(group)
        uow.groups.set_members(group.id, members)
        record(uow, "group.create", "group", group.id, audit=audit, detail={"name": group.name})
    return GroupView.of(group, members)


def update_group(
    *,
    store: Store,
    group_id: str,
    draft: GroupDraft,
    if_match: int | None,
    audit: AuditContext = SYSTEM_AUDIT,
    version_named: bool = True,
    echoed: Mapping[str, Any] | None = None,
    hub_accounts: Collection[str] = (),
) -> GroupView:
    """Replace a group; `if_match` is the version the caller last read (None: any).

    `version_named` False (the caller named no version at all) refuses with 428.
    `echoed` holds read-only fields the caller sent back; each must match the group.
    """
    with store.transaction() as uow:
        current = _require(uow, group_id)
        require_version(NOUN, group_id, current.version, if_match, named=version_named)
        if echoed:
            shown = {**current.model_dump(), "member_server_ids": uow.groups.members(group_id)}
            raise_if_problems(echo_problems(echoed, shown), NOUN)
        expected = current.version
        group = current.model_copy(
            update={**_fields(draft), "version": expected + 1, "updated_at": utcnow()}
        )
        if group.account_id != current.account_id:
            check_group_account(uow, group.account_id, hub_accounts)
        members = _checked_members(uow, group)
        uow.groups.update(group, expected_version=expected)
        uow.groups.set_members(group.id, members)
        detail = {"name": group.name, "version": group.version}
        record(uow, "group.update", "group", group.id, audit=audit, detail=detail)
    return GroupView.of(group, members)


def delete_group(
    *,
    store: Store,
    group_id: str,
    if_match: int | None,
    version_named: bool = True,
    audit: AuditContext = SYSTEM_AUDIT,
) -> None:
    """Delete a group no plan uses."""
    with store.transaction() as uow:
        group = _require(uow, group_id)
        require_version(NOUN, group_id, group.version, if_match, named=version_named)
        plans = uow.plans.using_group(group_id)
        if plans:
            names = ", ".join(repr(p.name) for p in plans)
            raise ConflictError(
                f"protection group {group.name!r} is used by recovery plan(s) {names}",
                conflicts=[{"plan_id": p.id, "plan_name": p.name} for p in plans],
            )
        uow.groups.delete(group_id, expected_version=if_match)
        record(uow, "group.delete", "group", group_id, audit=audit, detail={"name": group.name})


def get_group(*, store: Store, group_id: str) -> GroupView:
    """One group with its members."""
    with store.read() as uow:
        return GroupView.of(_require(uow, group_id), uow.groups.members(group_id))


def list_groups(*, store: Store, query: ListQuery) -> Page[str]:
    """A page of groups, each as JSON with its members."""
    with store.read() as uow:
        return uow.groups.page_json(query)


def preview_selection(
    *,
    store: Store,
    account_id: str,
    region: str,
    selection: Selection,
    group_id: str | None,
    overrides: Mapping[str, object] | None = None,
) -> SelectionPreview:
    """What a selection resolves to now (and what would do nothing), without saving anything."""
    with store.read() as uow:
        if group_id is not None:
            # Else a mistyped id would quietly preview as a new group.
            _require(uow, group_id)
        inventory = _candidates(uow, selection, account_id, region)
        ids = resolve_selection(
            selection, account_id=account_id, region=region, inventory=inventory
        )
        by_id = {s.id: s for s in inventory}
        holders = uow.groups.holders(ids)
        conflicts = membership_conflicts(group_id or "", ids, holders)
    warnings = selection_warnings(
        selection, overrides or {}, ids, account_id=account_id, region=region
    )
    return SelectionPreview([by_id[i] for i in ids], conflicts, holders, warnings)


def refresh_tag_groups(uow: UnitOfWork) -> list[dict[str, str]]:
    """Re-resolve every tag-selected group after the inventory changed; returns skipped servers."""
    skipped: list[dict[str, str]] = []
    for group in uow.groups.all():
        if group.selection.tags is None:
            continue
        inventory = uow.servers.in_scope(group.account_id, group.region)
        ids = resolve_selection(
            group.selection, account_id=group.account_id, region=group.region, inventory=inventory
        )
        clashes = membership_conflicts(group.id, ids, uow.groups.holders(ids))
        taken = {c["source_server_id"] for c in clashes}
        uow.groups.set_members(group.id, [i for i in ids if i not in taken])
        skipped += [{**c, "wanted_by": group.id} for c in clashes]
    return skipped


def _checked_members(uow: UnitOfWork, group: ProtectionGroup) -> list[str]:
    existing = uow.groups.find_by_name(group.name)
    if existing is not None and existing.id != group.id:
        raise ConflictError(
            f"a protection group named {existing.name!r} already exists ({existing.id})",
            conflicts=[{"field": "name", "group_id": existing.id, "group_name": existing.name}],
        )
    inventory = _candidates(uow, group.selection, group.account_id, group.region)
    problems = check_selection(
        group.selection,
        account_id=group.account_id,
        region=group.region,
        inventory={s.id: s for s in inventory},
    )
    raise_if_problems(problems + check_launch_settings(group), "protection group")
    ids = resolve_selection(
        group.selection, account_id=group.account_id, region=group.region, inventory=inventory
    )
    conflicts = membership_conflicts(group.id, ids, uow.groups.holders(ids))
    if conflicts:
        named = "; ".join(f"{c['source_server_id']} is in {c['group_name']!r}" for c in conflicts)
        raise ConflictError(
            f"servers already belong to another protection group: {named}", conflicts=conflicts
        )
    return ids


def _candidates(
    uow: UnitOfWork, selection: Selection, account_id: str, region: str
) -> list[SourceServer]:
    """The inventory a selection can pick from: just the listed servers, or the whole scope."""
    if selection.server_ids is not None:
        return list(uow.servers.get_many(selection.server_ids).values())
    return uow.servers.in_scope(account_id, region)


def _require(uow: UnitOfWork, group_id: str) -> ProtectionGroup:
    group = uow.groups.get(group_id)
    if group is None:
        raise NotFoundError(f"protection group {group_id} does not exist")
    return group


def _fields(draft: GroupDraft) -> dict[str, object]:
    return dict(draft)
