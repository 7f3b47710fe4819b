"""/api/v1/protection-groups."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status

from drorch.api.deps import IfMatch, StoreDep, set_etag
from drorch.api.pagination import Cursor, Limit, PageRead
from drorch.api.protection_groups.schemas import (
    ProtectionGroupCreate,
    ProtectionGroupRead,
    ProtectionGroupUpdate,
    SelectionConflict,
    SelectionPreviewCreate,
    SelectionPreviewRead,
)
from drorch.api.source_servers.router import to_read as server_read
from drorch.ports.store import ListQuery
from drorch.services import groups
from drorch.services.groups import GroupView

router = APIRouter(prefix="/api/v1/protection-groups", tags=["protection groups"])
Sort = Literal["name", "-name", "created_at", "-created_at"]


@router.get("")
def list_groups(
    store: StoreDep,
    search: Annotated[str | None, Query(max_length=200)] = None,
    account_id: Annotated[str | None, Query(pattern=r"^[0-9]{12}$")] = None,
    region: str | None = None,
    sort: Sort = "name",
    limit: Limit = 100,
    cursor: Cursor = None,
) -> PageRead[ProtectionGroupRead]:
    """A page of protection groups (member ids omitted; read one group for them)."""
    query = ListQuery(
        search=search, account_id=account_id, region=region, sort=sort, limit=limit, cursor=cursor
    )
    page = groups.list_groups(store=store, query=query)
    items = [_read(GroupView(g, [])) for g in page.items]
    return PageRead(items=items, next_cursor=page.next_cursor)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_group(
    body: ProtectionGroupCreate, store: StoreDep, response: Response
) -> ProtectionGroupRead:
    """Create a group; 409 names every server another group already holds."""
    view = groups.create_group(store=store, draft=body)
    set_etag(response, view.group.version)
    response.headers["Location"] = f"{router.prefix}/{view.group.id}"
    return _read(view)


@router.post("/preview")
def preview_selection(body: SelectionPreviewCreate, store: StoreDep) -> SelectionPreviewRead:
    """Resolve a selection against the inventory without saving anything."""
    preview = groups.preview_selection(
        store=store,
        account_id=body.account_id,
        region=body.region,
        selection=body.selection,
        group_id=body.group_id,
    )
    return SelectionPreviewRead(
        servers=[server_read(s) for s in preview.servers],
        conflicts=[SelectionConflict(**c) for c in preview.conflicts],
    )


@router.get("/{group_id}")
def get_group(group_id: str, store: StoreDep, response: Response) -> ProtectionGroupRead:
    """One group with its member servers."""
    view = groups.get_group(store=store, group_id=group_id)
    set_etag(response, view.group.version)
    return _read(view)


@router.put("/{group_id}")
def update_group(
    group_id: str,
    body: ProtectionGroupUpdate,
    store: StoreDep,
    if_match: IfMatch,
    response: Response,
) -> ProtectionGroupRead:
    """Replace a group; with If-Match, 412 when someone changed it since."""
    view = groups.update_group(store=store, group_id=group_id, draft=body, if_match=if_match)
    set_etag(response, view.group.version)
    return _read(view)


@router.delete("/{group_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_group(group_id: str, store: StoreDep, if_match: IfMatch) -> Response:
    """Delete a group; 409 names the plans that use it."""
    groups.delete_group(store=store, group_id=group_id, if_match=if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _read(view: GroupView) -> ProtectionGroupRead:
    return ProtectionGroupRead(**view.group.model_dump(), member_server_ids=view.members)
