"""Source-server JSON shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from drorch.api.query import PageQuery


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
    group_id: str | None = Field(
        description="The protection group holding the server; null when none does."
    )
    group_name: str | None = Field(
        description="That group's name; null when no group holds the server."
    )


class SyncRead(BaseModel):
    """What an inventory sync did."""

    scopes: list[dict[str, object]]
    skipped: list[dict[str, str]]


ServerSort = Literal[
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


class SourceServerListQuery(PageQuery):
    """Query string of GET /source-servers."""

    account_id: str | None = Field(None, pattern=r"^[0-9]{12}$")
    region: str | None = None
    tag: list[str] = Field(default_factory=list, description="key=value; repeat for several")
    replication_state: str | None = None
    assigned: bool | None = Field(None, description="Only servers in a group, or in none.")
    group_id: str | None = None
    search: str | None = Field(None, max_length=200, description="Hostname contains")
    sort: ServerSort = "hostname"
