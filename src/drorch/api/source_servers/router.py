"""/api/v1/source-servers: the cached inventory and its sync from DRS."""

from __future__ import annotations

from functools import partial
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Response

from drorch.api.deps import ContainerDep, StoreDep
from drorch.api.pagination import PageRead, page_response
from drorch.api.query import documented, query_of
from drorch.api.security import audited, require
from drorch.api.source_servers.schemas import SourceServerListQuery, SourceServerRead, SyncRead
from drorch.domain.identity import Permission, Principal
from drorch.domain.inventory import SourceServer
from drorch.errors import ConflictError, ValidationError
from drorch.ports.store import ServerQuery
from drorch.services import inventory
from drorch.services.audit import AuditContext

router = APIRouter(prefix="/api/v1/source-servers", tags=["source servers"])


@router.get(
    "", response_model=PageRead[SourceServerRead], openapi_extra=documented(SourceServerListQuery)
)
async def list_source_servers(
    store: StoreDep,
    _: Annotated[Principal, require(Permission.SERVERS_READ)],
    params: Annotated[SourceServerListQuery, query_of(SourceServerListQuery)],
) -> Response:
    """A filtered, sorted page of source servers."""
    query = ServerQuery(
        account_id=params.account_id,
        region=params.region,
        tags=_parse_tags(params.tag),
        replication_state=params.replication_state,
        assigned=params.assigned,
        group_id=params.group_id,
        search=params.search,
        sort=params.sort,
        limit=params.limit,
        cursor=params.cursor,
    )
    if query.search or query.tags:
        # A text search or tag test may walk thousands of index entries; SQLite lets go of
        # the GIL while it walks, so a worker thread runs it beside the event loop's work.
        page = await anyio.to_thread.run_sync(
            partial(inventory.list_servers, store=store, query=query)
        )
        return page_response(page)
    # Run on the event loop: a bounded, indexed read costs less than a thread hand-off.
    return page_response(inventory.list_servers(store=store, query=query))


@router.post("/sync")
def sync_source_servers(
    container: ContainerDep,
    audit: Annotated[AuditContext, audited(Permission.SERVERS_SYNC, "servers.sync")],
) -> SyncRead:
    """Refresh the inventory from DRS in every managed account and Region."""
    if container.drs is None:
        raise ConflictError("no DRS endpoint is configured; start with --sandbox or set one")
    result = inventory.sync_inventory(store=container.store, drs=container.drs, audit=audit)
    return SyncRead(scopes=result.scopes, skipped=result.skipped)


def to_read(server: SourceServer, holder: tuple[str, str] | None = None) -> SourceServerRead:
    """The API shape of a server; `holder` is the (id, name) of the group holding it."""
    group_id, group_name = holder or (None, None)
    return SourceServerRead.model_validate(
        {**server.model_dump(), "group_id": group_id, "group_name": group_name}
    )


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
