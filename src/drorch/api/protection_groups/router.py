"""/api/v1/protection-groups."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import TypeAdapter
from starlette.concurrency import run_in_threadpool

from drorch.api.deps import IfMatch, StoreDep, set_etag
from drorch.api.pagination import Cursor, Limit, PageRead, page_response
from drorch.api.protection_groups.schemas import (
    ProtectionGroupCreate,
    ProtectionGroupRead,
    ProtectionGroupUpdate,
    SelectionConflict,
    SelectionPreviewCreate,
    SelectionPreviewRead,
)
from drorch.api.source_servers.router import to_read as server_read
from drorch.domain.groups import ProtectionGroup
from drorch.ports.store import ListQuery
from drorch.services import groups
from drorch.services.groups import GroupView

# Items are the domain model's JSON plus member ids: the ProtectionGroupRead shape.
GROUP_LIST = TypeAdapter(list[ProtectionGroup])
JSON_LIST: TypeAdapter[list[Any]] = TypeAdapter(list[dict[str, Any]])
router = APIRouter(prefix="/api/v1/protection-groups", tags=["protection groups"])
Sort = Literal["name", "-name", "created_at", "-created_at"]


@router.get("", response_model=PageRead[ProtectionGroupRead])
async def list_groups(
    store: StoreDep,
    search: Annotated[str | None, Query(max_length=200)] = None,
    account_id: Annotated[str | None, Query(pattern=r"^[0-9]{12}$")] = None,
    region: str | None = None,
    sort: Sort = "name",
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Response:
    """A page of protection groups with their member servers."""
    query = ListQuery(
        search=search, account_id=account_id, region=region, sort=sort, limit=limit, cursor=cursor
    )
    page = await run_in_threadpool(groups.list_groups, store=store, query=query)
    items = GROUP_LIST.dump_python([v.group for v in page.items], mode="json")
    for item, view in zip(items, page.items, strict=True):
        item["member_server_ids"] = view.members
    return page_response(JSON_LIST, items, page.next_cursor)


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
    return ProtectionGroupRead.model_validate(
        {**view.group.model_dump(), "member_server_ids": view.members}
    )
