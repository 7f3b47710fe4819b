"""What must change so that a server launches with its settings (pure).

DRS keeps a launch configuration per source server and an EC2 launch template whose
default version EC2 uses at launch. Only the members drorch manages are compared, and only
those that differ are written: run twice, the second run changes nothing. After a crash
between creating a template version and making it the default, the latest version already
holds the wanted data, so it is made the default instead of creating another one.
"""

from __future__ import annotations

import copy
from typing import Any

from drorch.domain.launch_settings import LaunchSettings, SettingsRecord, shared
from drorch.ports.ec2 import TemplateVersion

DRS_MEMBERS = (
    "copyPrivateIp",
    "copyTags",
    "launchDisposition",
    "licensing",
    "targetInstanceTypeRightSizingMethod",
)


def wanted_drs(wanted: LaunchSettings) -> dict[str, Any]:
    """The DRS launch configuration members the settings ask for."""
    return {
        "copyPrivateIp": wanted.copy_private_ip,
        "copyTags": wanted.copy_tags,
        "launchDisposition": wanted.launch_disposition,
        "licensing": {"osByol": wanted.byol},
        "targetInstanceTypeRightSizingMethod": wanted.right_sizing,
    }


def drs_changes(wanted: LaunchSettings, current: dict[str, Any]) -> dict[str, Any]:
    """The UpdateLaunchConfiguration members whose current value differs from the wanted one."""
    return {k: v for k, v in wanted_drs(wanted).items() if current.get(k) != v}


def managed_drs(current: dict[str, Any]) -> dict[str, Any]:
    """The members of a launch configuration drorch manages (the previous values it records)."""
    return {k: current[k] for k in DRS_MEMBERS if k in current}


def template_data(wanted: LaunchSettings, base: dict[str, Any]) -> dict[str, Any]:
    """`base` (the default version's data) with the members the settings set replaced."""
    data = copy.deepcopy(base)
    if wanted.instance_type:
        data["InstanceType"] = wanted.instance_type
    if not (wanted.subnet_id or wanted.security_group_ids or wanted.static_private_ip):
        return data
    nics = data.get("NetworkInterfaces") or [{"DeviceIndex": 0}]
    nic = dict(nics[0])
    nic.setdefault("DeviceIndex", 0)
    if wanted.subnet_id:
        nic["SubnetId"] = wanted.subnet_id
    if wanted.security_group_ids:
        nic["Groups"] = list(wanted.security_group_ids)
        # EC2 refuses groups both on the template and on its network interface.
        data.pop("SecurityGroupIds", None)
        data.pop("SecurityGroups", None)
    if wanted.static_private_ip:
        nic["PrivateIpAddress"] = wanted.static_private_ip
    data["NetworkInterfaces"] = [nic, *nics[1:]]
    return data


def managed_template(data: dict[str, Any]) -> dict[str, Any]:
    """The members of template data drorch manages: instance type and the first interface."""
    nic = (data.get("NetworkInterfaces") or [{}])[0]
    groups = nic.get("Groups") or data.get("SecurityGroupIds") or []
    return {
        "InstanceType": data.get("InstanceType"),
        "SubnetId": nic.get("SubnetId"),
        "SecurityGroupIds": sorted(groups),
        "PrivateIpAddress": nic.get("PrivateIpAddress"),
    }


def template_changes(wanted: LaunchSettings, data: dict[str, Any]) -> dict[str, Any]:
    """The managed template members the settings would change in `data`."""
    before = managed_template(data)
    after = managed_template(template_data(wanted, data))
    return {k: v for k, v in after.items() if before[k] != v}


def plan_server(
    record: SettingsRecord,
    current_drs: dict[str, Any],
    versions: tuple[TemplateVersion, TemplateVersion] | None,
    earlier: SettingsRecord | None = None,
) -> SettingsRecord:
    """The record of what will change for one server, from what is there now.

    `earlier` is this server's record from a previous attempt of the same execution that did
    not finish (a crash): its previous values are the true ones, kept instead of today's.
    """
    wanted = record.wanted
    update: dict[str, Any] = {
        "previous_drs": managed_drs(current_drs),
        "drs_changes": drs_changes(wanted, current_drs),
    }
    if versions is not None:
        update |= _template_plan(wanted, *versions)
    if earlier is not None:
        update |= {
            "previous_drs": earlier.previous_drs,
            "previous_template_version": earlier.previous_template_version,
            "previous_template": earlier.previous_template,
        }
    return shared(record.model_copy(update=update))


def _template_plan(
    wanted: LaunchSettings, default: TemplateVersion, latest: TemplateVersion
) -> dict[str, Any]:
    changes = template_changes(wanted, default.data)
    plan: dict[str, Any] = {
        "template_id": default.template_id,
        "previous_template_version": default.number,
        "previous_template": managed_template(default.data),
        "template_changes": changes,
        "template_version": default.number,
    }
    if not changes:
        return plan
    if latest.number != default.number and not template_changes(wanted, latest.data):
        # Made by an earlier attempt that stopped before making it the default.
        return plan | {"template_version": latest.number, "set_default": True}
    return plan | {"template_version": None, "create_version": True, "set_default": True}
