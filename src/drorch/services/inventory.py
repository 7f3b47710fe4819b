"""Inventory use cases: list the cached servers, sync them from DRS."""

from __future__ import annotations

from dataclasses import dataclass, field

from drorch.domain.common import utcnow
from drorch.ports.drs import DrsGateway, Scope
from drorch.ports.store import Page, ServerQuery, Store
from drorch.services.audit import SYSTEM_AUDIT, AuditContext, record
from drorch.services.groups import refresh_tag_groups


@dataclass
class SyncResult:
    """What a sync found, per scope, and the servers no tag group could take."""

    scopes: list[dict[str, object]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)


def list_servers(*, store: Store, query: ServerQuery) -> Page[str]:
    """A filtered page of the cached inventory, each server as JSON."""
    with store.read() as uow:
        return uow.servers.page_json(query)


def sync_inventory(
    *,
    store: Store,
    drs: DrsGateway,
    scopes: list[Scope] | None = None,
    audit: AuditContext = SYSTEM_AUDIT,
) -> SyncResult:
    """Read every source server from DRS and replace the cached inventory of each scope."""
    result = SyncResult()
    fetched = {
        scope: drs.client(scope).describe_source_servers() for scope in scopes or drs.scopes()
    }
    now = utcnow()
    with store.transaction() as uow:
        for scope, servers in fetched.items():
            stamped = [s.model_copy(update={"synced_at": now}) for s in servers]
            uow.servers.upsert_many(stamped)
            removed = uow.servers.delete_missing(
                scope.account_id, scope.region, {s.id for s in stamped}
            )
            result.scopes.append(
                {
                    "account_id": scope.account_id,
                    "region": scope.region,
                    "servers": len(stamped),
                    "removed": removed,
                }
            )
        result.skipped = refresh_tag_groups(uow)
        detail = {"scopes": result.scopes, "skipped": len(result.skipped)}
        record(uow, "servers.sync", "servers", None, audit=audit, detail=detail)
    return result
