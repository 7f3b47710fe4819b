"""A drill across two accounts and two Regions, every DRS call on that account's assumed keys."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest

from drorch.adapters.aws.drs import BotoDrsGateway
from drorch.adapters.aws.sts import StsSessions
from drorch.adapters.storage.sqlite import SqliteStore
from drorch.domain.accounts import AccountDraft
from drorch.domain.groups import GroupDraft, Selection
from drorch.domain.plans import PlanDraft, Wave
from drorch.errors import DrorchError
from drorch.ports.drs import Scope
from drorch.services import accounts
from drorch.services import executions as svc
from drorch.services.groups import create_group
from drorch.services.inventory import sync_inventory
from drorch.services.plans import create_plan
from tests.integration.engine.harness import SandboxTime, World
from tests.support.identity import acting
from tests.support.sandbox import (
    ACCOUNT,
    DR_REGION,
    NO_RETRY,
    OTHER_ACCOUNT,
    REGION,
    RunningSandbox,
    running_sandbox,
    sid,
    small_fleet,
)


@pytest.fixture
def world() -> Iterator[World]:
    """Two registered spokes whose roles trust their own external ids; DRS only via STS."""
    with running_sandbox(small_fleet(), clock="virtual") as sb:
        store = SqliteStore(":memory:")
        for account_id, regions in ((ACCOUNT, [REGION, DR_REGION]), (OTHER_ACCOUNT, [REGION])):
            draft = AccountDraft(name=f"spoke-{account_id}", regions=regions)
            account = accounts.register_account(store=store, account_id=account_id, draft=draft)
            deployed = {"external_id": account.external_id}
            assert sb.admin("PUT", f"accounts/{account_id}/trust", deployed).status_code == 200
        w = World(sb=sb, store=store, clock=SandboxTime(sb))
        w.drs = gateway(sb, store, w.clock)
        w.add_runner()
        sync_inventory(store=store, drs=w.drs)
        try:
            yield w
        finally:
            store.close()


def gateway(sb: RunningSandbox, store: SqliteStore, clock: SandboxTime) -> BotoDrsGateway:
    hub = boto3.session.Session(
        aws_access_key_id="AKIAHUBKEY0000000001", aws_secret_access_key="hub-secret"
    )
    sessions = StsSessions(hub=hub, endpoint_url=sb.url, now=clock.now)
    return BotoDrsGateway.for_accounts(
        sessions,
        accounts=lambda: accounts.list_accounts(store=store),
        endpoint_url=sb.url,
        config=NO_RETRY,
    )


def group(w: World, name: str, account_id: str, region: str, servers: list[str]) -> str:
    draft = GroupDraft(
        name=name,
        account_id=account_id,
        region=region,
        selection=Selection(server_ids=servers),
    )
    return create_group(store=w.store, draft=draft).group.id


def test_a_drill_over_two_accounts_uses_each_accounts_assumed_keys(world: World) -> None:
    w = world
    east = group(w, "east", ACCOUNT, REGION, [sid(1), sid(2)])
    west = group(w, "west", ACCOUNT, DR_REGION, [sid(9)])
    other = group(w, "other", OTHER_ACCOUNT, REGION, [sid(10)])
    waves = [
        Wave(name="first", protection_group_ids=[east, other]),
        Wave(name="second", protection_group_ids=[west]),
    ]
    plan = create_plan(
        store=w.store, draft=PlanDraft(name="cross", waves=waves, cleanup_after_minutes="keep")
    ).id
    execution = w.start(plan)
    w.drive()
    done = w.get(execution.id)
    assert done.status == "COMPLETED", done.status
    assert w.launches() == {sid(1): 1, sid(2): 1, sid(9): 1, sid(10): 1}
    calls = w.sb.admin("GET", "calls").json()
    keys: dict[str, set[str]] = {}
    for call in calls:
        keys.setdefault(call["account"], set()).add(call["key"])
    assert set(keys) == {ACCOUNT, OTHER_ACCOUNT}
    assert all(key.startswith("ASIA") for used in keys.values() for key in used)
    assert not keys[ACCOUNT] & keys[OTHER_ACCOUNT]  # a key never served two accounts
    started = {(c["account"], c["region"]) for c in calls if c["operation"] == "StartRecovery"}
    assert started == {(ACCOUNT, REGION), (ACCOUNT, DR_REGION), (OTHER_ACCOUNT, REGION)}


def test_a_start_is_refused_naming_the_account_whose_role_cannot_be_assumed(
    world: World,
) -> None:
    w = world
    east = group(w, "east", ACCOUNT, REGION, [sid(1)])
    other = group(w, "other", OTHER_ACCOUNT, REGION, [sid(10)])
    waves = [Wave(name="only", protection_group_ids=[east, other])]
    plan = create_plan(
        store=w.store, draft=PlanDraft(name="broken", waves=waves, cleanup_after_minutes="keep")
    ).id
    # The spoke owner redeployed the role with an external id that is not drorch's.
    redeployed = {"external_id": "drorch-not-this-one"}
    assert w.sb.admin("PUT", f"accounts/{OTHER_ACCOUNT}/trust", redeployed).status_code == 200
    fresh = gateway(w.sb, w.store, w.clock)  # a new process: no cached session
    with pytest.raises(DrorchError) as caught:
        svc.start_execution(
            store=w.store,
            drs=fresh,
            clock=w.clock,
            request=svc.StartRequest(plan, "DRILL"),
            audit=acting("tester"),
        )
    text = str(caught.value.extra)
    assert OTHER_ACCOUNT in text and "sts:AssumeRole" in text and "AccessDenied" in text
    assert f"{ACCOUNT}/{REGION}" not in text  # the healthy account is not blamed
    assert w.launches() == {}


def test_a_changed_role_gets_a_new_client_assuming_the_new_role(world: World) -> None:
    w = world
    renamed = f"arn:aws:iam::{ACCOUNT}:role/drorch-renamed"
    account = accounts.get_account(store=w.store, account_id=ACCOUNT)
    moved = {"external_id": account.external_id, "role_arn": renamed}
    assert w.sb.admin("PUT", f"accounts/{ACCOUNT}/trust", moved).status_code == 200
    draft = AccountDraft(name=account.name, role_arn=renamed, regions=account.regions)
    accounts.update_account(
        store=w.store, account_id=ACCOUNT, draft=draft, if_match=account.version
    )
    before = {c["key"] for c in w.sb.admin("GET", "calls").json()}
    w.clock.sleep(2 * 3600)  # the old role's keys expired; renewing them would be refused
    client = w.drs.client(Scope(ACCOUNT, REGION))
    assert client.describe_jobs() == []
    last = w.sb.admin("GET", "calls").json()[-1]
    assert (last["operation"], last["account"]) == ("DescribeJobs", ACCOUNT)
    assert last["key"] not in before


def test_an_account_without_a_session_fails_only_its_own_servers(world: World) -> None:
    w = world
    east = group(w, "east", ACCOUNT, REGION, [sid(1), sid(2)])
    other = group(w, "other", OTHER_ACCOUNT, REGION, [sid(10)])
    waves = [Wave(name="only", protection_group_ids=[east, other])]
    plan = create_plan(
        store=w.store, draft=PlanDraft(name="half", waves=waves, cleanup_after_minutes="keep")
    ).id
    execution = w.start(plan)  # preflight passes: both roles can be assumed now
    # Then the spoke owner redeploys the role with an external id that is not drorch's, and
    # the engine (a fresh process: no cached session) can no longer reach that account.
    redeployed = {"external_id": "drorch-not-this-one"}
    assert w.sb.admin("PUT", f"accounts/{OTHER_ACCOUNT}/trust", redeployed).status_code == 200
    w.runners.clear()
    w.drs = gateway(w.sb, w.store, w.clock)
    w.add_runner()
    w.drive()
    done = w.get(execution.id)
    servers = {s.source_server_id: s for s in done.servers()}
    assert (servers[sid(1)].status, servers[sid(2)].status) == ("LAUNCHED", "LAUNCHED")
    assert servers[sid(10)].status == "FAILED"
    assert OTHER_ACCOUNT in str(servers[sid(10)].error)
    assert "sts:AssumeRole" in str(servers[sid(10)].error)
    assert w.launches() == {sid(1): 1, sid(2): 1}
    timeline = [e.message for e in svc.events_since(store=w.store, execution_id=execution.id)]
    assert any(OTHER_ACCOUNT in m and "sts:AssumeRole" in m for m in timeline), timeline
