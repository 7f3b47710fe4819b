"""Principals and audit contexts for tests that call services directly."""

from __future__ import annotations

from drorch.domain.identity import Principal, Role, Source
from drorch.services.audit import AuditContext


def principal(username: str, role: Role = Role.ADMIN) -> Principal:
    """A local principal named `username` with `role`."""
    return Principal(
        subject=f"u-{username}",
        username=username,
        display_name=username,
        role=role,
        source=Source.LOCAL,
    )


def acting(username: str, role: Role = Role.ADMIN, comment: str | None = None) -> AuditContext:
    """The audit context of `username` calling a service."""
    return AuditContext(principal=principal(username, role), request_id="test", comment=comment)
