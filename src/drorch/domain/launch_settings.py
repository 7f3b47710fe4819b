"""Launch settings as drorch applies them: what a server should launch with, and the record.

A protection group's launch defaults and per-server overrides resolve to one
`LaunchSettings` per server. Before each launch batch drorch records, per server, what it
found and what it will change (`SettingsRecord`, kept on the batch's launch intent), then
changes only what differs, then records the outcome; the execution shows the record.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from drorch.domain.common import Model
from drorch.domain.groups import LaunchDisposition, ProtectionGroup, RightSizing

SettingsState = Literal["INTENDED", "APPLIED", "FAILED"]


class LaunchSettings(Model):
    """Everything one server is launched with, as drorch manages it."""

    subnet_id: str | None = None
    security_group_ids: list[str] = Field(default_factory=list)
    instance_type: str | None = None
    static_private_ip: str | None = None
    copy_private_ip: bool = False
    copy_tags: bool = True
    byol: bool = False
    right_sizing: RightSizing = "BASIC"
    launch_disposition: LaunchDisposition = "STARTED"

    @property
    def shapes_template(self) -> bool:
        """True when the EC2 launch template holds something drorch must set."""
        return bool(
            self.subnet_id
            or self.security_group_ids
            or self.instance_type
            or self.static_private_ip
        )


class SettingsRecord(Model):
    """One server's launch settings at one batch: found, wanted, changed, outcome."""

    source_server_id: str
    wanted: LaunchSettings
    state: SettingsState = "INTENDED"
    # DRS's launch configuration members drorch manages, as found before any change.
    previous_drs: dict[str, Any] = Field(default_factory=dict)
    drs_changes: dict[str, Any] = Field(default_factory=dict)
    template_id: str | None = None
    previous_template_version: int | None = None
    previous_template: dict[str, Any] = Field(default_factory=dict)
    # The version drorch makes (or found already made by a run that crashed) and sets default.
    template_version: int | None = None
    template_changes: dict[str, Any] = Field(default_factory=dict)
    create_version: bool = False
    set_default: bool = False
    error: str | None = None

    @model_validator(mode="after")
    def _share(self) -> SettingsRecord:
        """Equal members as one shared object, however the record was read (see `shared`)."""
        return shared(self)

    @property
    def changed(self) -> bool:
        """True when anything had to change in DRS or EC2."""
        return bool(self.drs_changes or self.create_version or self.set_default)


# A 5,000-server run holds a record per server, and nearly all of them want the same settings
# and found the same DRS members: one shared copy of each instead of some 2 KB per server.
# Records and settings are frozen and their dicts are never changed in place, so sharing is
# safe; the table is bounded, so odd values cost nothing lasting.
_SHARED: dict[tuple[str, str], Any] = {}
MAX_SHARED = 4096
_MEMBERS = ("wanted", "previous_drs", "drs_changes", "previous_template", "template_changes")


def shared(record: SettingsRecord) -> SettingsRecord:
    """The same record with its settings and member dicts replaced by equal shared ones."""
    members = record.__dict__
    for name in _MEMBERS:
        value = members[name]
        # JSON-like data: equal reprs mean equal values (True and 1, 1 and 1.0 differ).
        plain = tuple(value.__dict__.values()) if isinstance(value, LaunchSettings) else value
        key = (name, repr(plain))
        found = _SHARED.get(key)
        if found is None:
            if len(_SHARED) >= MAX_SHARED:
                _SHARED.clear()
            found = _SHARED[key] = value
        members[name] = found  # frozen model: its own dict, written once, before anyone reads
    return record


def settings_for(group: ProtectionGroup, server_id: str) -> LaunchSettings:
    """The group's launch defaults with the server's overrides applied."""
    base = group.launch_defaults
    override = group.server_overrides.get(server_id)
    subnet = base.subnet_id
    groups = list(base.security_group_ids)
    instance_type = base.instance_type
    static_ip = None
    if override is not None:
        subnet = override.subnet_id or subnet
        if override.security_group_ids is not None:
            groups = list(override.security_group_ids)
        instance_type = override.instance_type or instance_type
        static_ip = override.static_private_ip
    return LaunchSettings(
        subnet_id=subnet,
        security_group_ids=groups,
        instance_type=instance_type,
        static_private_ip=static_ip,
        # A static IP is the server's own choice; copying the source's IP would replace it.
        copy_private_ip=base.copy_private_ip and static_ip is None,
        copy_tags=base.copy_tags,
        byol=base.byol,
        # DRS right-sizing picks the type itself; a type set on purpose must switch it off.
        right_sizing="NONE" if instance_type else base.right_sizing,
        launch_disposition=base.launch_disposition,
    )
