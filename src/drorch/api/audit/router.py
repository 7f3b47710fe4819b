"""/api/v1/audit: the audit log, read-only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from drorch.api.audit.schemas import AuditListQuery, AuditRecordRead
from drorch.api.deps import StoreDep
from drorch.api.pagination import PageRead
from drorch.api.query import documented, query_of
from drorch.api.security import require
from drorch.domain.identity import Permission, Principal
from drorch.ports.store import AuditQuery
from drorch.services import audit

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


@router.get("", openapi_extra=documented(AuditListQuery))
def list_audit(
    store: StoreDep,
    _: Annotated[Principal, require(Permission.AUDIT_READ)],
    params: Annotated[AuditListQuery, query_of(AuditListQuery)],
) -> PageRead[AuditRecordRead]:
    """A page of audit records, newest first; nothing can edit or delete them."""
    page = audit.list_audit(store=store, query=AuditQuery(**params.model_dump()))
    items = [AuditRecordRead.model_validate(r.model_dump()) for r in page.items]
    return PageRead(items=items, next_cursor=page.next_cursor)
