"""Protection groups: which servers recover together, and how they launch."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal

from pydantic import (
    Field,
    GetJsonSchemaHandler,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from drorch.domain.common import FieldProblem, Model, Name, Text
from drorch.domain.inventory import SourceServer

INSTANCE_TYPE = re.compile(r"^[a-z][a-z0-9-]*\.[0-9]*[a-z0-9]+$")
SERVER_ID = r"^s-[0-9a-zA-Z]{17}$"
GROUP_ID = r"^pg-[0-9a-f]{12}$"
RightSizing = Literal["NONE", "BASIC", "IN_AWS"]
LaunchDisposition = Literal["STOPPED", "STARTED"]


class Selection(Model):
    """Either an explicit list of source server ids or a tag selector (all tags must match)."""

    server_ids: list[str] | None = None
    tags: dict[Name, Name] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Selection:
        if (self.server_ids is None) == (self.tags is None):
            raise ValueError("give exactly one of server_ids or tags")
        if self.tags is not None and not self.tags:
            raise ValueError("a tag selector needs at least one tag")
        return self

    @model_serializer(mode="wrap")
    def _drop_unused(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Only the chosen kind of selection appears in JSON.
        data: dict[str, Any] = handler(self)
        return {k: v for k, v in data.items() if v is not None}

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """The two shapes a selection takes: server ids, or a tag selector."""
        # The wrap serializer returns a plain dict, so pydantic alone would publish an untyped
        # object for responses. Requests may also send the unused field as null.
        nullable = handler.mode == "validation"
        return {
            "title": "Selection",
            "description": cls.__doc__,
            "oneOf": [
                _one_of_selection("server_ids", "tags", nullable),
                _one_of_selection("tags", "server_ids", nullable),
            ],
        }


_SELECTION_FIELDS: dict[str, JsonSchemaValue] = {
    "server_ids": {"type": "array", "items": {"type": "string"}},
    "tags": {"type": "object", "additionalProperties": {"type": "string"}, "minProperties": 1},
}


def _one_of_selection(used: str, unused: str, nullable: bool) -> JsonSchemaValue:
    """The JSON schema of a selection by `used`, where `unused` is absent (or null)."""
    properties = {used: _SELECTION_FIELDS[used]}
    if nullable:
        properties[unused] = {"type": "null"}
    return {
        "type": "object",
        "properties": properties,
        "required": [used],
        "additionalProperties": False,
    }


class LaunchDefaults(Model):
    """How DRS launches the group's servers unless a server overrides it."""

    subnet_id: str | None = Field(default=None, pattern=r"^subnet-[0-9a-f]{8,17}$")
    subnet_cidr: str | None = None
    security_group_ids: list[str] = Field(default_factory=list)
    instance_type: str | None = None
    right_sizing: RightSizing = "BASIC"
    copy_private_ip: bool = False
    copy_tags: bool = True
    byol: bool = False
    launch_disposition: LaunchDisposition = "STARTED"


class ServerOverride(Model):
    """Per-server exceptions to the group's launch defaults."""

    instance_type: str | None = None
    subnet_id: str | None = Field(default=None, pattern=r"^subnet-[0-9a-f]{8,17}$")
    security_group_ids: list[str] | None = None
    static_private_ip: str | None = None
    optional: bool = False


class ProtectionGroup(Model):
    """A named set of source servers in one account and region."""

    id: str
    name: str = Field(min_length=1, max_length=128)
    description: str = Field(default="", max_length=2048)
    account_id: str = Field(pattern=r"^[0-9]{12}$")
    region: str = Field(pattern=r"^[a-z]{2}(-[a-z]+)+-[0-9]$")
    selection: Selection
    launch_defaults: LaunchDefaults = Field(default_factory=LaunchDefaults)
    server_overrides: dict[str, ServerOverride] = Field(default_factory=dict)
    version: int = 1
    created_at: datetime
    updated_at: datetime

    def is_optional(self, server_id: str) -> bool:
        """True when the server's failure must not fail its wave."""
        override = self.server_overrides.get(server_id)
        return bool(override and override.optional)


def resolve_selection(
    selection: Selection, *, account_id: str, region: str, inventory: Iterable[SourceServer]
) -> list[str]:
    """Ids of the inventory servers a selection picks, in the group's account and region."""
    local = [s for s in inventory if s.account_id == account_id and s.region == region]
    if selection.server_ids is not None:
        wanted = set(selection.server_ids)
        return sorted(s.id for s in local if s.id in wanted)
    tags = selection.tags or {}
    return sorted(s.id for s in local if s.matches_tags(tags))


def check_selection(
    selection: Selection, *, account_id: str, region: str, inventory: Mapping[str, SourceServer]
) -> list[FieldProblem]:
    """Problems with an explicit selection: unknown, repeated or foreign server ids."""
    problems: list[FieldProblem] = []
    seen: set[str] = set()
    for i, server_id in enumerate(selection.server_ids or []):
        path = f"selection.server_ids[{i}]"
        server = inventory.get(server_id)
        if server_id in seen:
            problems.append(FieldProblem(path, f"{server_id} is listed twice"))
        elif server is None:
            problems.append(FieldProblem(path, f"{server_id} is not in the inventory"))
        elif (server.account_id, server.region) != (account_id, region):
            where = f"{server.account_id}/{server.region}"
            problems.append(FieldProblem(path, f"{server_id} is in {where}, not the group's"))
        seen.add(server_id)
    return problems


def check_launch_settings(group: ProtectionGroup) -> list[FieldProblem]:
    """Problems with instance types and static private IPs (syntax, subnet, duplicates)."""
    problems = _check_instance_type(
        "launch_defaults.instance_type", group.launch_defaults.instance_type
    )
    network = _subnet_network(group.launch_defaults.subnet_cidr, problems)
    owners: dict[str, str] = {}
    for server_id, override in group.server_overrides.items():
        base = f"server_overrides.{server_id}"
        if not re.match(SERVER_ID, server_id):
            problems.append(FieldProblem(base, f"{server_id!r} is not a source server id"))
        problems += _check_instance_type(f"{base}.instance_type", override.instance_type)
        ip = override.static_private_ip
        if ip is None:
            continue
        problems += _check_static_ip(f"{base}.static_private_ip", ip, network, owners.get(ip))
        owners.setdefault(ip, server_id)
    return problems


def _check_instance_type(path: str, value: str | None) -> list[FieldProblem]:
    if value is None or INSTANCE_TYPE.match(value):
        return []
    return [FieldProblem(path, f"{value!r} is not an EC2 instance type such as m5.large")]


def _subnet_network(cidr: str | None, problems: list[FieldProblem]) -> ipaddress.IPv4Network | None:
    if cidr is None:
        return None
    try:
        return ipaddress.IPv4Network(cidr, strict=True)
    except ValueError:
        problems.append(
            FieldProblem("launch_defaults.subnet_cidr", f"{cidr!r} is not an IPv4 CIDR")
        )
        return None


def _check_static_ip(
    path: str, ip: str, network: ipaddress.IPv4Network | None, taken_by: str | None
) -> list[FieldProblem]:
    try:
        address = ipaddress.IPv4Address(ip)
    except ValueError:
        return [FieldProblem(path, f"{ip!r} is not an IPv4 address")]
    if taken_by is not None:
        return [FieldProblem(path, f"{ip} is already the static IP of {taken_by}")]
    if network is None:
        return []
    if address not in network:
        return [FieldProblem(path, f"{ip} is outside the subnet {network}")]
    # AWS reserves the first four addresses and the last one of every subnet.
    offset = int(address) - int(network.network_address)
    if offset < 4 or address == network.broadcast_address:
        return [FieldProblem(path, f"{ip} is reserved by AWS in {network}")]
    return []


def selection_warnings(
    selection: Selection,
    overrides: Mapping[str, object],
    members: Iterable[str],
    *,
    account_id: str,
    region: str,
) -> list[FieldProblem]:
    """What is saved but does nothing: a selection matching no server, overrides of others."""
    picked = set(members)
    warnings: list[FieldProblem] = []
    if not picked:
        what = _selection_text(selection)
        warnings.append(
            FieldProblem("selection", f"{what} matches no source server in {account_id}/{region}")
        )
    for server_id in sorted(set(overrides) - picked):
        warnings.append(
            FieldProblem(
                f"server_overrides.{server_id}",
                f"{server_id} is not in the group's selection, so this override has no effect",
            )
        )
    return warnings


def _selection_text(selection: Selection) -> str:
    if selection.server_ids is not None:
        return "the server list"
    tags = ", ".join(f"{k}={v}" for k, v in sorted((selection.tags or {}).items()))
    return f"the tag selector ({tags})"


def membership_conflicts(
    group_id: str, server_ids: Iterable[str], holders: Mapping[str, tuple[str, str]]
) -> list[dict[str, str]]:
    """Servers already held by another group: one entry per server with that group's id and name."""
    conflicts = []
    for server_id in server_ids:
        holder = holders.get(server_id)
        if holder is not None and holder[0] != group_id:
            conflicts.append(
                {"source_server_id": server_id, "group_id": holder[0], "group_name": holder[1]}
            )
    return conflicts


class GroupDraft(Model):
    """What an operator submits to create or replace a protection group."""

    name: Name = Field(min_length=1, max_length=128, pattern=r"\S")
    description: Text = Field(default="", max_length=2048)
    account_id: str = Field(pattern=r"^[0-9]{12}$")
    region: str = Field(pattern=r"^[a-z]{2}(-[a-z]+)+-[0-9]$")
    selection: Selection
    launch_defaults: LaunchDefaults = Field(default_factory=LaunchDefaults)
    server_overrides: dict[str, ServerOverride] = Field(default_factory=dict)
