"""/api/v1/source-servers: the cached inventory and its sync from DRS."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import TypeAdapter
from starlette.concurrency import run_in_threadpool

from drorch.api.deps import ContainerDep, StoreDep
from drorch.api.pagination import Cursor, Limit, PageRead, page_response
from drorch.api.source_servers.schemas import SourceServerRead, SyncRead
from drorch.domain.inventory import SourceServer
from drorch.errors import ConflictError, ValidationError
from drorch.ports.store import ServerQuery
from drorch.services import inventory

# The domain model serializes to exactly the SourceServerRead shape.
SERVER_LIST = TypeAdapter(list[SourceServer])
router = APIRouter(prefix="/api/v1/source-servers", tags=["source servers"])
Sort = Literal[
    "hostname",
    "-hostname",
    "id",
    "-id",
    "account_id",
    "-account_id",
    "region",
    "-region",
    "replication_state",
    "-replication_state",
]


@router.get("", response_model=PageRead[SourceServerRead])
async def list_source_servers(
    store: StoreDep,
    account_id: Annotated[str | None, Query(pattern=r"^[0-9]{12}$")] = None,
    region: str | None = None,
    tag: Annotated[list[str], Query(description="key=value; repeat for several")] = [],  # noqa: B006
    replication_state: str | None = None,
    assigned: bool | None = None,
    group_id: str | None = None,
    search: Annotated[str | None, Query(max_length=200, description="Hostname contains")] = None,
    sort: Sort = "hostname",
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Response:
    """A filtered, sorted page of source servers."""
    query = ServerQuery(
        account_id=account_id,
        region=region,
        tags=_parse_tags(tag),
        replication_state=replication_state,
        assigned=assigned,
        group_id=group_id,
        search=search,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )
    page = await run_in_threadpool(inventory.list_servers, store=store, query=query)
    return page_response(SERVER_LIST, page.items, page.next_cursor)


@router.post("/sync")
def sync_source_servers(container: ContainerDep) -> SyncRead:
    """Refresh the inventory from DRS in every managed account and Region."""
    if container.drs is None:
        raise ConflictError("no DRS endpoint is configured; start with --sandbox or set one")
    result = inventory.sync_inventory(store=container.store, drs=container.drs)
    return SyncRead(scopes=result.scopes, skipped=result.skipped)


def to_read(server: SourceServer) -> SourceServerRead:
    """The API shape of a server."""
    return SourceServerRead.model_validate(server.model_dump())


def _parse_tags(raw: list[str]) -> dict[str, str]:
    tags: dict[str, str] = {}
    for i, item in enumerate(raw):
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValidationError(
                f"tag filter {item!r} must look like key=value",
                [{"path": f"tag[{i}]", "message": "expected key=value", "in": "query"}],
            )
        tags[key] = value
    return tags
