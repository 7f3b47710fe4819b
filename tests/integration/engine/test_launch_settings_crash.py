"""A crash between the launch-template write and StartRecovery changes nothing twice.

`drorch serve` applies a group's launch settings, then calls StartRecovery, which the sandbox
holds (latency) and drops once the caller is gone: the SIGKILL lands after every DRS and EC2
write and before DRS ever sees the launch. The intent explains the server (what was found,
what was changed); after a restart the batch is found lost and issued again, the settings are
read again and left alone, and each server launches once.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from drorch.adapters.aws.drs import BotoDrsGateway
from drorch.domain.executions import Execution, Intent
from drorch.domain.groups import GroupDraft, LaunchDefaults, Selection, ServerOverride
from drorch.domain.plans import PlanDraft, Wave
from drorch.services import executions as svc
from drorch.services.groups import create_group
from drorch.services.inventory import sync_inventory
from drorch.services.plans import create_plan
from tests.support.builders import register_accounts
from tests.support.ec2 import ec2_fleet, group_id, instance, subnet_id
from tests.support.identity import acting
from tests.support.sandbox import ACCOUNT, KEY, NO_RETRY, REGION, sid
from tests.support.server import open_store, running_server, sandbox_process

STATIC_IP = "10.0.2.77"


def ec2_over_http(url: str) -> Any:
    import boto3

    session = boto3.session.Session(
        aws_access_key_id=KEY, aws_secret_access_key="x", region_name=REGION
    )
    return session.client("ec2", endpoint_url=url, config=NO_RETRY)


def start_drill(data_dir: Path, url: str, ec2: Any) -> str:
    """A two-server group that sets every launch setting, started as a drill."""
    gateway = BotoDrsGateway.for_sandbox_endpoint(url)
    store = open_store(data_dir)
    try:
        register_accounts(store)
        sync_inventory(store=store, drs=gateway)
        defaults = LaunchDefaults(
            subnet_id=subnet_id(ec2, "drorch-app"),
            security_group_ids=[group_id(ec2, "app")],
            instance_type="c5.large",
            copy_tags=False,
        )
        override = ServerOverride(
            subnet_id=subnet_id(ec2, "drorch-dr"), static_private_ip=STATIC_IP
        )
        draft = GroupDraft(
            name="crash",
            account_id=ACCOUNT,
            region=REGION,
            selection=Selection(server_ids=[sid(1), sid(2)]),
            launch_defaults=defaults,
            server_overrides={sid(2): override},
        )
        group = create_group(store=store, draft=draft).group
        wave = Wave(name="w1", protection_group_ids=[group.id])
        plan = create_plan(
            store=store, draft=PlanDraft(name="crash", waves=[wave], cleanup_after_minutes="keep")
        ).id
        request = svc.StartRequest(plan, "DRILL")
        return svc.start_execution(
            store=store, drs=gateway, request=request, audit=acting("crash-test")
        ).id
    finally:
        store.close()


def applied_intent(data_dir: Path, execution_id: str, limit: float) -> Intent | None:
    """The first OPEN intent whose launch settings are all applied (StartRecovery in flight)."""
    store = open_store(data_dir)
    try:
        end = time.monotonic() + limit
        while time.monotonic() < end:
            with store.read() as uow:
                for intent in uow.executions.intents(execution_id):
                    records = intent.launch_settings
                    if (
                        intent.state == "OPEN"
                        and records
                        and all(r.state == "APPLIED" for r in records)
                    ):
                        return intent
            time.sleep(0.02)
        return None
    finally:
        store.close()


def finished(data_dir: Path, execution_id: str) -> str | None:
    store = open_store(data_dir)
    try:
        ex = svc.get_execution(store=store, execution_id=execution_id)
        return ex.status if ex.terminal else None
    finally:
        store.close()


def test_sigkill_after_the_template_write_applies_settings_once_and_launches_once(
    tmp_path: Path,
) -> None:
    with sandbox_process(tmp_path, ec2_fleet(2), time_scale=600.0) as url:
        faults = {"latency": {"StartRecovery": 10.0}, "drop_if_gone": ["StartRecovery"]}
        httpx.post(f"{url}/_sandbox/faults", json=faults).raise_for_status()
        ec2 = ec2_over_http(url)
        data_dir = tmp_path / "data"
        data_dir.mkdir()
        execution_id = start_drill(data_dir, url, ec2)
        env = {"DRORCH_DRS_ENDPOINT_URL": url, "DRORCH_ENGINE_LAUNCH_GRACE_SECONDS": "5"}
        with running_server(data_dir, env=env) as server:
            intent = applied_intent(data_dir, execution_id, 20.0)
            server.process.kill()  # SIGKILL while StartRecovery is on its way
            server.process.wait()
        assert intent is not None, "no launch with applied settings was seen in flight"
        stats = httpx.get(f"{url}/_sandbox/stats").json()
        assert stats["launches"] == {}  # DRS never saw the launch
        # The intent explains both servers: what was there, what was changed.
        records = {r.source_server_id: r for r in intent.launch_settings}
        assert records[sid(2)].previous_template_version == 1
        assert records[sid(2)].template_changes["PrivateIpAddress"] == STATIC_IP
        assert records[sid(1)].drs_changes["copyTags"] is False
        httpx.delete(f"{url}/_sandbox/faults").raise_for_status()
        with running_server(data_dir, env=env):
            while finished(data_dir, execution_id) is None:
                time.sleep(0.2)
        stats = httpx.get(f"{url}/_sandbox/stats").json()
        ex = read_execution(data_dir, execution_id)
        second = next(s for s in ex.servers() if s.source_server_id == sid(2))
        relaunched = instance(ec2, str(second.ec2_instance_id))
    assert ex.status == "COMPLETED"
    assert stats["launches"] == {sid(1): 1, sid(2): 1}
    calls = stats["calls"]
    # Applied once: one configuration update and one template version per server.
    assert calls["UpdateLaunchConfiguration"] == 2
    assert calls["ec2:CreateLaunchTemplateVersion"] == 2
    assert calls["ec2:ModifyLaunchTemplate"] == 2
    assert second.launch_settings is not None and not second.launch_settings.changed
    # The previous values survive the retry: they come from the first, interrupted attempt.
    assert second.launch_settings.previous_template_version == 1
    assert second.launch_settings.previous_drs["copyTags"] is True
    assert (relaunched["PrivateIpAddress"], relaunched["InstanceType"]) == (STATIC_IP, "c5.large")


def read_execution(data_dir: Path, execution_id: str) -> Execution:
    store = open_store(data_dir)
    try:
        return svc.get_execution(store=store, execution_id=execution_id)
    finally:
        store.close()
