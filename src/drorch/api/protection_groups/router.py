"""/api/v1/protection-groups."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response, status

from drorch.api.deps import ContainerDep, IfMatch, StoreDep, set_etag
from drorch.api.echo import split_echo
from drorch.api.pagination import PageRead, page_response
from drorch.api.protection_groups.schemas import (
    GroupWarning,
    ProtectionGroupCreate,
    ProtectionGroupListQuery,
    ProtectionGroupRead,
    ProtectionGroupUpdate,
    SelectionConflict,
    SelectionPreviewCreate,
    SelectionPreviewRead,
)
from drorch.api.query import documented, query_of
from drorch.api.security import audited, require
from drorch.api.source_servers.router import to_read as server_read
from drorch.domain.groups import GroupDraft
from drorch.domain.identity import Permission, Principal
from drorch.ports.store import ListQuery
from drorch.services import groups
from drorch.services.audit import AuditContext
from drorch.services.groups import GroupView

router = APIRouter(prefix="/api/v1/protection-groups", tags=["protection groups"])
P = Permission


@router.get(
    "",
    response_model=PageRead[ProtectionGroupRead],
    openapi_extra=documented(ProtectionGroupListQuery),
)
async def list_groups(
    store: StoreDep,
    _: Annotated[Principal, require(P.GROUPS_READ)],
    params: Annotated[ProtectionGroupListQuery, query_of(ProtectionGroupListQuery)],
) -> Response:
    """A page of protection groups with their member servers."""
    query = ListQuery(**params.model_dump())
    # Run on the event loop: a bounded, indexed read costs less than a thread hand-off.
    return page_response(groups.list_groups(store=store, query=query))


@router.post("", status_code=status.HTTP_201_CREATED)
def create_group(
    body: ProtectionGroupCreate,
    container: ContainerDep,
    response: Response,
    audit: Annotated[AuditContext, audited(P.GROUPS_WRITE, "group.create")],
) -> ProtectionGroupRead:
    """Create a group; 422 for an unregistered account, 409 names servers others hold."""
    view = groups.create_group(
        store=container.store,
        draft=body,
        audit=audit,
        hub_accounts=container.hub_accounts(),
    )
    set_etag(response, view.group.version)
    response.headers["Location"] = f"{router.prefix}/{view.group.id}"
    return _read(view)


@router.post("/preview")
def preview_selection(
    body: SelectionPreviewCreate,
    store: StoreDep,
    _: Annotated[Principal, require(P.GROUPS_READ)],
) -> SelectionPreviewRead:
    """Resolve a selection against the inventory without saving anything."""
    preview = groups.preview_selection(
        store=store,
        account_id=body.account_id,
        region=body.region,
        selection=body.selection,
        group_id=body.group_id,
        overrides=body.server_overrides,
    )
    return SelectionPreviewRead(
        servers=[server_read(s, preview.holders.get(s.id)) for s in preview.servers],
        conflicts=[SelectionConflict(**c) for c in preview.conflicts],
        warnings=[GroupWarning(**w.as_dict()) for w in preview.warnings],
    )


@router.get("/{group_id}")
def get_group(
    group_id: str,
    store: StoreDep,
    response: Response,
    _: Annotated[Principal, require(P.GROUPS_READ)],
) -> ProtectionGroupRead:
    """One group with its member servers."""
    view = groups.get_group(store=store, group_id=group_id)
    set_etag(response, view.group.version)
    return _read(view)


@router.put("/{group_id}")
def update_group(
    group_id: str,
    body: ProtectionGroupUpdate,
    container: ContainerDep,
    if_match: IfMatch,
    response: Response,
    audit: Annotated[AuditContext, audited(P.GROUPS_WRITE, "group.update")],
) -> ProtectionGroupRead:
    """Replace a group; 412 when someone changed it since the version named, 428 without one."""
    draft, echoed = split_echo(body, GroupDraft)
    view = groups.update_group(
        store=container.store,
        group_id=group_id,
        draft=draft,
        if_match=if_match.expected(body.version),
        version_named=if_match.named(body.version),
        echoed=echoed,
        audit=audit,
        hub_accounts=container.hub_accounts(),
    )
    set_etag(response, view.group.version)
    return _read(view)


@router.delete("/{group_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_group(
    group_id: str,
    store: StoreDep,
    if_match: IfMatch,
    audit: Annotated[AuditContext, audited(P.GROUPS_WRITE, "group.delete")],
) -> Response:
    """Delete a group; 409 names the plans that use it, 428 without If-Match."""
    groups.delete_group(
        store=store,
        group_id=group_id,
        if_match=if_match.expected(),
        version_named=if_match.named(),
        audit=audit,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _read(view: GroupView) -> ProtectionGroupRead:
    return ProtectionGroupRead.model_validate(
        {
            **view.group.model_dump(),
            "member_server_ids": view.members,
            "warnings": [w.as_dict() for w in view.warnings],
        }
    )
