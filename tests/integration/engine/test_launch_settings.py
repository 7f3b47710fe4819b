"""Launch settings are applied before each batch, once, and the recovery instance has them.

One sandbox with EC2 (moto inside it) for the module; the engine applies the group's
settings through the DRS and EC2 adapters over HTTP, and the test reads them back through
GetLaunchConfiguration and DescribeInstances, as an operator would.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from drorch.domain.groups import GroupDraft, LaunchDefaults, Selection, ServerOverride
from drorch.domain.plans import PlanDraft, Wave
from drorch.engine.launch_step import LaunchSettingsStep
from drorch.services.groups import create_group
from drorch.services.plans import create_plan
from tests.integration.engine.harness import World, events, make_world
from tests.support.ec2 import ec2_client, ec2_fleet, ec2_gateway, group_id, instance, subnet_id
from tests.support.sandbox import ACCOUNT, REGION, RunningSandbox, running_sandbox, sid

STATIC_IP = "10.0.2.50"


@pytest.fixture(scope="module")
def sb() -> Iterator[RunningSandbox]:
    with running_sandbox(ec2_fleet(4), clock="virtual") as running:
        yield running


@pytest.fixture
def world(sb: RunningSandbox) -> Iterator[World]:
    sb.sandbox.reset()
    w = make_world(sb, settings=LaunchSettingsStep(ec2_gateway(sb)))
    try:
        yield w
    finally:
        w.store.close()


def network(sb: RunningSandbox) -> dict[str, str]:
    """The ids of the sandbox network's subnets and security groups."""
    ec2 = ec2_client(sb)
    return {
        "app": subnet_id(ec2, "drorch-app"),
        "dr": subnet_id(ec2, "drorch-dr"),
        "sg_app": group_id(ec2, "app"),
        "sg_web": group_id(ec2, "web"),
    }


def settings_plan(w: World, net: dict[str, str]) -> str:
    """A one-wave plan whose group sets every launch setting; server 2 has a static IP."""
    defaults = LaunchDefaults(
        subnet_id=net["app"],
        security_group_ids=[net["sg_app"]],
        instance_type="m5.large",
        copy_private_ip=True,
        copy_tags=False,
        byol=True,
        launch_disposition="STOPPED",
    )
    override = ServerOverride(
        subnet_id=net["dr"], security_group_ids=[net["sg_web"]], static_private_ip=STATIC_IP
    )
    draft = GroupDraft(
        name="settings",
        account_id=ACCOUNT,
        region=REGION,
        selection=Selection(server_ids=[sid(1), sid(2)]),
        launch_defaults=defaults,
        server_overrides={sid(2): override},
    )
    group = create_group(store=w.store, draft=draft).group
    wave = Wave(name="w1", protection_group_ids=[group.id])
    return create_plan(
        store=w.store, draft=PlanDraft(name="settings", waves=[wave], cleanup_after_minutes="keep")
    ).id


def run_drill(w: World, plan_id: str) -> Any:
    ex = w.start(plan_id)
    w.drive()
    done = w.get(ex.id)
    assert done.status == "COMPLETED", [e.message for e in events(w, ex.id)]
    return done


def calls(sb: RunningSandbox) -> dict[str, int]:
    return dict(sb.stats()["calls"])


def test_settings_are_applied_once_and_the_recovery_instance_carries_them(
    sb: RunningSandbox, world: World
) -> None:
    net = network(sb)
    plan_id = settings_plan(world, net)
    first = run_drill(world, plan_id)
    drs, ec2 = sb.client(), ec2_client(sb)

    config = drs.get_launch_configuration(sourceServerID=sid(1))
    assert config["copyPrivateIp"] is True and config["copyTags"] is False
    assert config["licensing"] == {"osByol": True}
    assert config["launchDisposition"] == "STOPPED"
    # An instance type set on purpose switches DRS right-sizing off, or DRS would replace it.
    assert config["targetInstanceTypeRightSizingMethod"] == "NONE"
    # A static IP wins over copying the source server's address.
    assert drs.get_launch_configuration(sourceServerID=sid(2))["copyPrivateIp"] is False

    servers = {s.source_server_id: s for s in first.servers()}
    one = instance(ec2, str(servers[sid(1)].ec2_instance_id))
    assert one["InstanceType"] == "m5.large" and one["SubnetId"] == net["app"]
    assert [g["GroupId"] for g in one["SecurityGroups"]] == [net["sg_app"]]
    assert one["State"]["Name"] == "stopped"  # launch disposition STOPPED
    two = instance(ec2, str(servers[sid(2)].ec2_instance_id))
    assert (two["SubnetId"], two["PrivateIpAddress"]) == (net["dr"], STATIC_IP)
    assert [g["GroupId"] for g in two["SecurityGroups"]] == [net["sg_web"]]

    record = servers[sid(2)].launch_settings
    assert record is not None and record.state == "APPLIED"
    assert record.previous_drs["copyPrivateIp"] is False
    assert record.template_changes["PrivateIpAddress"] == STATIC_IP
    assert record.previous_template_version == 1 and record.template_version == 2
    kinds = [e.kind for e in events(world, first.id)]
    assert kinds.count("launch-settings.applied") == 1

    before = calls(sb)
    template = config["ec2LaunchTemplateID"]
    second = run_drill(world, plan_id)
    after = calls(sb)
    # Nothing differs any more: no update, no new template version, same default.
    for write in ("UpdateLaunchConfiguration", "ec2:CreateLaunchTemplateVersion"):
        assert after.get(write, 0) == before.get(write, 0), write
    assert after.get("ec2:ModifyLaunchTemplate", 0) == before.get("ec2:ModifyLaunchTemplate", 0)
    versions = ec2.describe_launch_templates(LaunchTemplateIds=[template])["LaunchTemplates"][0]
    assert (versions["DefaultVersionNumber"], versions["LatestVersionNumber"]) == (2, 2)
    relaunched = {s.source_server_id: s for s in second.servers()}[sid(2)]
    again = relaunched.launch_settings
    assert again is not None and not again.changed and again.template_version == 2
    # The replaced drill instance gave its address back; the new one holds it.
    assert instance(ec2, str(relaunched.ec2_instance_id))["PrivateIpAddress"] == STATIC_IP


def test_a_group_without_template_settings_only_touches_drs(
    sb: RunningSandbox, world: World
) -> None:
    draft = GroupDraft(
        name="plain",
        account_id=ACCOUNT,
        region=REGION,
        selection=Selection(server_ids=[sid(3)]),
        launch_defaults=LaunchDefaults(copy_private_ip=True),
    )
    group = create_group(store=world.store, draft=draft).group
    wave = Wave(name="w1", protection_group_ids=[group.id])
    plan_id = create_plan(
        store=world.store, draft=PlanDraft(name="plain", waves=[wave], cleanup_after_minutes="keep")
    ).id
    before = calls(sb)
    run_drill(world, plan_id)
    after = calls(sb)
    assert sb.client().get_launch_configuration(sourceServerID=sid(3))["copyPrivateIp"] is True
    assert after.get("ec2:DescribeLaunchTemplateVersions", 0) == before.get(
        "ec2:DescribeLaunchTemplateVersions", 0
    )
