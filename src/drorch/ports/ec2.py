"""The EC2 port: the launch-template writes and network reads launch settings need."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from drorch.ports.drs import Scope


@dataclass(frozen=True)
class TemplateVersion:
    """One version of an EC2 launch template, with the members drorch manages."""

    template_id: str
    number: int
    is_default: bool
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Subnet:
    """A subnet: its id, VPC and IPv4 CIDR."""

    subnet_id: str
    vpc_id: str
    cidr: str


@dataclass(frozen=True)
class AddressHolder:
    """The network interface holding a private address, and the instance it is attached to."""

    interface_id: str
    instance_id: str | None = None


class Ec2Client(Protocol):
    """EC2 in one account and Region (every client comes from the session provider)."""

    scope: Scope

    def template_versions(self, template_id: str) -> tuple[TemplateVersion, TemplateVersion]:
        """The template's default and latest versions (the same one when they agree)."""
        ...

    def create_template_version(
        self, template_id: str, *, source_version: int, data: dict[str, Any], description: str
    ) -> int:
        """Add a version built on `source_version` with `data` overriding it; its number."""
        ...

    def set_default_version(self, template_id: str, number: int) -> None:
        """Make a version the template's default."""
        ...

    def subnets(self, subnet_ids: Sequence[str]) -> dict[str, Subnet]:
        """The subnets of those ids that exist."""
        ...

    def security_groups(self, group_ids: Sequence[str]) -> dict[str, str]:
        """Security group id -> its VPC id, for those of the ids that exist."""
        ...

    def addresses_in_use(
        self, subnet_id: str, addresses: Sequence[str]
    ) -> dict[str, AddressHolder]:
        """Private IPv4 address -> what holds it, for those of the addresses taken in the subnet."""
        ...


class Ec2Gateway(Protocol):
    """An Ec2Client per account and Region; `purpose` names the session (the execution)."""

    def client(self, scope: Scope, *, purpose: str = "engine") -> Ec2Client: ...
