"""Crash safety: `drorch serve` is SIGKILLed at many points while executions run.

The sandbox runs in its own process (scaled time, with a state file) and `drorch serve`
reaches it through DRORCH_DRS_ENDPOINT_URL. StartRecovery is slowed down, and every other
kill waits until an intent is OPEN, so kills land between an intent and its DRS answer.
After the last restart every execution must finish and the sandbox must count exactly
one launch per server.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import httpx

from drorch.adapters.aws.drs import BotoDrsGateway
from drorch.adapters.storage.sqlite import SqliteStore
from drorch.domain.groups import GroupDraft, Selection
from drorch.domain.plans import PlanDraft, Wave
from drorch.services import executions as svc
from drorch.services.groups import create_group
from drorch.services.inventory import sync_inventory
from drorch.services.plans import create_plan
from tests.integration.engine.harness import ids
from tests.support.builders import register_accounts
from tests.support.identity import acting
from tests.support.sandbox import ACCOUNT, REGION, many_servers
from tests.support.server import open_store, running_server, sandbox_process

KILLS = 7
TIME_SCALE = 150.0


def plan(store: SqliteStore, name: str, waves: list[tuple[str, list[str]]]) -> str:
    """One group per wave and a chained plan."""
    register_accounts(store)
    wave_models = []
    for wave, servers in waves:
        draft = GroupDraft(
            name=f"{name}-{wave}",
            account_id=ACCOUNT,
            region=REGION,
            selection=Selection(server_ids=servers),
        )
        group = create_group(store=store, draft=draft).group
        wave_models.append(Wave(name=wave, protection_group_ids=[group.id]))
    # Drills keep their instances: cleanups' TERMINATE jobs would share the quota asserted on.
    draft = PlanDraft(name=name, waves=wave_models, cleanup_after_minutes="keep")
    return create_plan(store=store, draft=draft).id


def start_all(data_dir: Path, url: str) -> list[str]:
    """Sync the inventory, create three plans and start them (the runner is not up yet)."""
    gateway = BotoDrsGateway.for_sandbox_endpoint(url)
    store = open_store(data_dir)
    try:
        sync_inventory(store=store, drs=gateway)
        plans = [
            plan(store, "alpha", [("a1", ids(1000, 30)), ("a2", ids(1030, 130))]),
            plan(
                store, "beta", [("b1", ids(1160, 20)), ("b2", ids(1180, 20)), ("b3", ids(1200, 40))]
            ),
            plan(store, "gamma", [("g1", ids(1240, 110))]),
        ]
        return [
            svc.start_execution(
                store=store,
                drs=gateway,
                request=svc.StartRequest(p, "DRILL"),
                audit=acting("crash-test"),
            ).id
            for p in plans
        ]
    finally:
        store.close()


def wait_for_open_intent(data_dir: Path, limit: float) -> None:
    """Return as soon as some intent is OPEN (a StartRecovery in flight), or after `limit`."""
    store = open_store(data_dir)
    try:
        end = time.monotonic() + limit
        while time.monotonic() < end:
            with store.read() as uow:
                rows = uow.executions.open_intents(ACCOUNT, REGION)
            if any(i.state == "OPEN" for i in rows):
                return
            time.sleep(0.01)
    finally:
        store.close()


def all_ended(data_dir: Path, execution_ids: list[str]) -> bool:
    """True when every execution has reached a terminal status."""
    store = open_store(data_dir)
    try:
        return all(svc.get_execution(store=store, execution_id=i).terminal for i in execution_ids)
    finally:
        store.close()


def test_sigkill_at_many_points_never_launches_a_server_twice(tmp_path: Path) -> None:
    rng = random.Random(4)
    with sandbox_process(tmp_path, many_servers(400), time_scale=TIME_SCALE) as url:
        httpx.post(
            f"{url}/_sandbox/faults", json={"latency": {"StartRecovery": 1.0}}
        ).raise_for_status()
        data_dir = tmp_path / "data"
        data_dir.mkdir()
        execution_ids = start_all(data_dir, url)
        env = {"DRORCH_DRS_ENDPOINT_URL": url}
        for kill in range(KILLS):
            with running_server(data_dir, env=env) as server:
                if kill % 2:
                    wait_for_open_intent(data_dir, 4.0)  # die while DRS handles the call
                else:
                    time.sleep(rng.uniform(0.2, 2.5))
                server.process.kill()  # SIGKILL: no cleanup, leases stay behind
                server.process.wait()
        with running_server(data_dir, env=env):
            # No deadline of our own: pytest-timeout ends a run that never finishes.
            while not all_ended(data_dir, execution_ids):
                time.sleep(0.5)
        launches = httpx.get(f"{url}/_sandbox/stats").json()["launches"]
    store = open_store(data_dir)
    try:
        for execution_id in execution_ids:
            assert svc.get_execution(store=store, execution_id=execution_id).status == "COMPLETED"
    finally:
        store.close()
    assert len(launches) == 400 - 50
    assert set(launches.values()) == {1}
