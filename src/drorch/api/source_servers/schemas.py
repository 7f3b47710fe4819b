"""Source-server JSON shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class SourceServerRead(BaseModel):
    """A source server from the cached DRS inventory."""

    id: str
    account_id: str
    region: str
    hostname: str
    os: str
    tags: dict[str, str]
    replication_state: str
    replication_healthy: bool
    lag_seconds: float | None
    last_launch_result: str
    recovery_instance_id: str | None
    synced_at: datetime | None


class SyncRead(BaseModel):
    """What an inventory sync did."""

    scopes: list[dict[str, object]]
    skipped: list[dict[str, str]]
