"""The audit log: one way to append a record, one way to read pages of it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from drorch.domain.audit import AuditRecord, Outcome
from drorch.domain.common import new_id, utcnow
from drorch.domain.identity import Principal, Role, Source
from drorch.ports.store import AuditQuery, Page, Store, UnitOfWork

# The principal of commands run straight on a data dir (`drorch users add --data-dir`).
CLI_PRINCIPAL = Principal(
    subject="cli", username="cli", display_name="drorch CLI", role=Role.ADMIN, source=Source.CLI
)


@dataclass(frozen=True)
class AuditContext:
    """Who asks, from where, under which request id, and the comment they gave."""

    principal: Principal | None
    request_id: str | None = None
    client: str | None = None
    comment: str | None = None

    @property
    def actor(self) -> str:
        """The name the timeline shows for this caller."""
        return self.principal.username if self.principal else "anonymous"

    def with_comment(self, comment: str | None) -> AuditContext:
        """The same context carrying a request's comment."""
        return replace(self, comment=comment)


CLI_AUDIT = AuditContext(principal=CLI_PRINCIPAL)
# Services called by drorch itself (demo set-up, tests' harnesses) act as the CLI.
SYSTEM_AUDIT = CLI_AUDIT


def record(
    uow: UnitOfWork,
    action: str,
    target_type: str | None,
    target_id: str | None,
    *,
    audit: AuditContext,
    outcome: Outcome = Outcome.SUCCESS,
    status: int | None = None,
    detail: dict[str, Any] | None = None,
    username: str | None = None,
    at: datetime | None = None,
) -> AuditRecord:
    """Append one audit record inside the caller's transaction; `username` names a non-principal."""
    who = audit.principal
    entry = AuditRecord(
        id=new_id("au"),
        at=at or utcnow(),
        principal=who.subject if who else None,
        username=who.username if who else username,
        role=who.role.value if who else None,
        source=who.source.value if who else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        outcome=outcome,
        status=status,
        request_id=audit.request_id,
        client=audit.client,
        comment=audit.comment,
        detail=detail or {},
    )
    return uow.audit.append(entry)


def record_alone(store: Store, action: str, **fields: Any) -> AuditRecord:
    """Append a record in a transaction of its own (refusals: the change was rolled back)."""
    with store.transaction() as uow:
        return record(
            uow, action, fields.pop("target_type", None), fields.pop("target_id", None), **fields
        )


def list_audit(*, store: Store, query: AuditQuery) -> Page[AuditRecord]:
    """A filtered page of the audit log, newest first."""
    with store.read() as uow:
        return uow.audit.page(query)
