"""What must change so a server launches with its settings: only what differs, once."""

from __future__ import annotations

from datetime import UTC, datetime

from drorch.domain.groups import LaunchDefaults, ProtectionGroup, Selection, ServerOverride
from drorch.domain.launch_settings import LaunchSettings, SettingsRecord, settings_for
from drorch.engine.launch_settings import drs_changes, plan_server, template_data, wanted_drs
from drorch.ports.ec2 import TemplateVersion

NOW = datetime(2026, 1, 1, tzinfo=UTC)
SERVER = "s-00000000000000001"
DRS_DEFAULTS = {
    "copyPrivateIp": False,
    "copyTags": True,
    "launchDisposition": "STARTED",
    "licensing": {"osByol": False},
    "targetInstanceTypeRightSizingMethod": "BASIC",
    "ec2LaunchTemplateID": "lt-0123",
}
BASE = {
    "InstanceType": "t3.medium",
    "NetworkInterfaces": [{"DeviceIndex": 0, "SubnetId": "subnet-aa"}],
}


def group(**overrides: ServerOverride) -> ProtectionGroup:
    return ProtectionGroup(
        id="pg-000000000001",
        name="g",
        account_id="111122223333",
        region="us-east-1",
        selection=Selection(server_ids=[SERVER]),
        launch_defaults=LaunchDefaults(
            subnet_id="subnet-0000000a", security_group_ids=["sg-1"], copy_private_ip=True
        ),
        server_overrides=overrides,
        created_at=NOW,
        updated_at=NOW,
    )


def version(number: int, data: dict[str, object], default: bool) -> TemplateVersion:
    return TemplateVersion("lt-0123", number, default, dict(data))


def test_overrides_win_and_a_static_ip_or_a_type_switch_off_what_would_replace_them() -> None:
    plain = settings_for(group(), SERVER)
    assert (plain.subnet_id, plain.copy_private_ip, plain.right_sizing) == (
        "subnet-0000000a",
        True,
        "BASIC",
    )
    override = ServerOverride(
        subnet_id="subnet-0000000b", static_private_ip="10.0.0.9", instance_type="m5.large"
    )
    chosen = settings_for(group(**{SERVER: override}), SERVER)
    assert chosen.subnet_id == "subnet-0000000b" and chosen.security_group_ids == ["sg-1"]
    assert chosen.copy_private_ip is False  # the static IP wins over copying the source's
    assert chosen.right_sizing == "NONE"  # the chosen type wins over DRS right-sizing


def test_only_the_members_that_differ_are_sent_to_drs() -> None:
    wanted = LaunchSettings(copy_private_ip=True, byol=True)
    assert drs_changes(wanted, DRS_DEFAULTS) == {
        "copyPrivateIp": True,
        "licensing": {"osByol": True},
    }
    assert drs_changes(wanted, {**DRS_DEFAULTS, **wanted_drs(wanted)}) == {}


def test_template_data_replaces_only_drorchs_members() -> None:
    wanted = LaunchSettings(security_group_ids=["sg-9"], static_private_ip="10.0.1.9")
    data = template_data(wanted, {**BASE, "SecurityGroupIds": ["sg-old"], "KeyName": "k"})
    assert data["NetworkInterfaces"] == [
        {
            "DeviceIndex": 0,
            "SubnetId": "subnet-aa",
            "Groups": ["sg-9"],
            "PrivateIpAddress": "10.0.1.9",
        }
    ]
    assert "SecurityGroupIds" not in data and data["KeyName"] == "k"
    assert data["InstanceType"] == "t3.medium"


def test_a_template_is_changed_once_and_a_half_done_change_is_finished_not_redone() -> None:
    wanted = LaunchSettings(subnet_id="subnet-bb", instance_type="m5.large")
    record = SettingsRecord(source_server_id=SERVER, wanted=wanted)
    first = plan_server(record, DRS_DEFAULTS, (version(1, BASE, True), version(1, BASE, True)))
    assert (first.create_version, first.set_default, first.template_version) == (True, True, None)
    assert first.template_changes == {"InstanceType": "m5.large", "SubnetId": "subnet-bb"}
    assert first.previous_template_version == 1
    made = template_data(wanted, BASE)
    # A crash after CreateLaunchTemplateVersion: version 2 holds the data but is not default.
    half = plan_server(record, DRS_DEFAULTS, (version(1, BASE, True), version(2, made, False)))
    assert (half.create_version, half.set_default, half.template_version) == (False, True, 2)
    done = plan_server(record, DRS_DEFAULTS, (version(2, made, True), version(2, made, True)))
    assert not done.create_version and not done.set_default and not done.template_changes


def test_a_retry_keeps_the_first_attempts_previous_values() -> None:
    wanted = LaunchSettings(copy_tags=False)
    record = SettingsRecord(source_server_id=SERVER, wanted=wanted)
    first = plan_server(record, DRS_DEFAULTS, None)
    assert first.previous_drs["copyTags"] is True and first.drs_changes == {"copyTags": False}
    already = {**DRS_DEFAULTS, "copyTags": False}
    retry = plan_server(record, already, None, earlier=first)
    assert retry.drs_changes == {} and not retry.changed
    assert retry.previous_drs["copyTags"] is True
