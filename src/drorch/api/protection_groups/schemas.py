"""Protection-group JSON shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from drorch.api.echo import ReadOnlyEcho
from drorch.api.query import PageQuery
from drorch.api.source_servers.schemas import SourceServerRead
from drorch.domain.groups import GroupDraft, LaunchDefaults, Selection, ServerOverride


class ProtectionGroupCreate(GroupDraft):
    """Body of POST /protection-groups."""


class GroupWarning(BaseModel):
    """Something saved that has no effect, located by a field path (it does not block)."""

    path: str = Field(description="`selection`, or `server_overrides.<server id>`.")
    message: str


class ProtectionGroupUpdate(GroupDraft, ReadOnlyEcho):
    """Body of PUT /protection-groups/{id}: the whole group, read-only fields as GET gave them."""

    member_server_ids: list[str] | None = Field(default=None, description="Read-only; must match.")
    warnings: list[GroupWarning] | None = Field(
        default=None, description="Read-only and ignored: warnings are worked out on every save."
    )


WARNINGS_HELP = (
    "A selection matching no server, overrides of servers the selection does not pick. "
    "Not part of the group: computed from its members now."
)


class ProtectionGroupRead(BaseModel):
    """A protection group with the servers it holds now."""

    id: str
    name: str
    description: str
    account_id: str
    region: str
    selection: Selection
    launch_defaults: LaunchDefaults
    server_overrides: dict[str, ServerOverride]
    member_server_ids: list[str]
    version: int
    created_at: datetime
    updated_at: datetime
    # Optional in the schema: list pages carry groups as stored, without warnings.
    warnings: list[GroupWarning] = Field(default_factory=list, description=WARNINGS_HELP)


class SelectionPreviewCreate(BaseModel):
    """Body of POST /protection-groups/preview."""

    model_config = ConfigDict(extra="forbid")

    account_id: str = Field(pattern=r"^[0-9]{12}$")
    region: str = Field(pattern=r"^[a-z]{2}(-[a-z]+)+-[0-9]$")
    selection: Selection
    group_id: str | None = Field(default=None, description="The group being edited, if any.")
    server_overrides: dict[str, ServerOverride] = Field(
        default_factory=dict, description="The group's overrides, to warn of unselected ones."
    )


class SelectionConflict(BaseModel):
    """A server the selection picks that another group already holds."""

    source_server_id: str
    group_id: str
    group_name: str


class SelectionPreviewRead(BaseModel):
    """What a selection resolves to against the current inventory."""

    servers: list[SourceServerRead]
    conflicts: list[SelectionConflict]
    warnings: list[GroupWarning] = Field(description=WARNINGS_HELP)


class ProtectionGroupListQuery(PageQuery):
    """Query string of GET /protection-groups."""

    search: str | None = Field(None, max_length=200, description="Name contains")
    account_id: str | None = Field(None, pattern=r"^[0-9]{12}$")
    region: str | None = None
    sort: Literal["name", "-name", "created_at", "-created_at"] = "name"
