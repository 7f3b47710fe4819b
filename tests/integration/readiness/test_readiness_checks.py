"""Readiness runs per failure kind: the DRS sandbox (faults injected) and a real SQLite file."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import boto3
import pytest

from drorch.adapters.aws.drs import BotoDrsGateway
from drorch.adapters.aws.probe import AwsAccountProbe
from drorch.adapters.aws.sts import StsSessions
from drorch.adapters.storage.sqlite import SqliteStore
from drorch.domain.groups import GroupDraft, Selection
from drorch.domain.notifications import ChannelDraft, EventKind, SubscriptionDraft, WebhookConfig
from drorch.domain.plans import PlanDraft, Wave
from drorch.domain.readiness import ReadinessRun, Transition, Trigger
from drorch.engine import quotas
from drorch.engine.retrying import ReadRetry
from drorch.errors import ConflictError
from drorch.ports.store import AuditQuery, DeliveryQuery
from drorch.services import executions as svc
from drorch.services import readiness
from drorch.services.groups import create_group
from drorch.services.inventory import sync_inventory
from drorch.services.notification_setup import create_channel, create_subscription
from drorch.services.plans import create_plan
from drorch.services.readiness_checks import Policy
from drorch.services.readiness_notices import readiness_notifier
from tests.support.builders import register_accounts
from tests.support.identity import acting
from tests.support.sandbox import (
    ACCOUNT,
    OTHER_ACCOUNT,
    REGION,
    RunningSandbox,
    SandboxTime,
    reset_and_checked,
    running_sandbox,
    sid,
    small_fleet,
)

SCOPE = f"{ACCOUNT}/{REGION}"
Changes = list[tuple[Transition, str]]


@pytest.fixture(scope="module")
def served() -> Iterator[RunningSandbox]:
    """The small fleet (sid 7 STALLED, sid 8 INITIAL_SYNC) on a virtual clock."""
    with running_sandbox(small_fleet(), clock="virtual") as sb:
        yield sb


@pytest.fixture(scope="module")
def gateway(served: RunningSandbox) -> BotoDrsGateway:
    """drorch's DRS adapter on the module's sandbox (model-checked clients)."""
    return served.gateway()


@pytest.fixture
def sb(served: RunningSandbox) -> Iterator[RunningSandbox]:
    """The sandbox as the fleet file says, faults cleared, for each test."""
    with reset_and_checked(served) as sandbox:
        yield sandbox


@pytest.fixture
def store(tmp_path: Path, sb: RunningSandbox, gateway: BotoDrsGateway) -> Iterator[SqliteStore]:
    """A SQLite file holding the sandbox's inventory, synced before any fault."""
    opened = SqliteStore(tmp_path / "drorch.db")
    register_accounts(opened)
    sync_inventory(store=opened, drs=gateway)
    yield opened
    opened.close()


@pytest.fixture
def changes() -> Changes:
    """What the readiness listener was told, in order."""
    return []


def ports(
    store: SqliteStore,
    sb: RunningSandbox,
    gateway: BotoDrsGateway | None,
    changes: Changes,
    **policy: Any,
) -> readiness.ReadinessPorts:
    """Readiness ports on the sandbox's clock, telling `changes` of each status change."""
    return readiness.ReadinessPorts(
        store=store,
        drs=gateway,
        clock=SandboxTime(sb.sandbox),
        policy=Policy(retry=ReadRetry(budget=0), **policy),
        listeners=[lambda change, run: changes.append((change, run.status.value))],
    )


def plan_of(store: SqliteStore, name: str, waves: Sequence[tuple[str, Sequence[str]]]) -> str:
    """One explicit group per wave in the test account's Region, then the plan."""
    made = []
    for wave, ids in waves:
        draft = GroupDraft(
            name=f"{name}-{wave}",
            account_id=ACCOUNT,
            region=REGION,
            selection=Selection(server_ids=list(ids)),
        )
        made.append(
            Wave(name=wave, protection_group_ids=[create_group(store=store, draft=draft).group.id])
        )
    return create_plan(store=store, draft=PlanDraft(name=name, waves=made)).id


def codes(run: ReadinessRun) -> list[tuple[str, str, str]]:
    """(severity, code, subject id) of each error and warning."""
    return [(f.severity.value, f.code, f.subject.id) for f in run.findings if f.severity != "info"]


def fault(sb: RunningSandbox, body: dict[str, Any]) -> None:
    """Inject a sandbox fault (200 expected)."""
    response = sb.admin("POST", "faults", body)
    assert response.status_code == 200, response.text


def test_a_healthy_plan_is_ready_and_every_check_ran(
    store: SqliteStore, sb: RunningSandbox, gateway: BotoDrsGateway, changes: Changes
) -> None:
    plan = plan_of(store, "fine", [("db", [sid(1), sid(2)]), ("web", [sid(3)])])
    run = readiness.run_readiness(
        plan, ports=ports(store, sb, gateway, changes), audit=acting("op")
    )
    assert run.status == "READY" and codes(run) == []
    assert run.checks == [
        "plan",
        "plan-running",
        "server-busy",
        "replication",
        "quota",
        "accounts",
        "groups",
        "launch-settings",
        "actions",
        "action-targets",
    ]
    assert run.trigger == Trigger.ON_DEMAND and run.by == "op"
    assert changes == []  # never checked before, and ready: nothing to announce
    with store.read() as uow:
        assert uow.readiness.latest(plan) == run
        audited = uow.audit.page(AuditQuery(action="plan.readiness", target_id=plan)).items
    assert [(r.action, r.detail["status"]) for r in audited] == [("plan.readiness", "READY")]


def test_stalled_replication_fails_then_recovers_and_each_change_is_announced_once(
    store: SqliteStore, sb: RunningSandbox, gateway: BotoDrsGateway, changes: Changes
) -> None:
    plan = plan_of(store, "stall", [("a", [sid(1), sid(2)])])
    used = ports(store, sb, gateway, changes)
    fault(sb, {"replication": {sid(2): {"state": "STALLED", "lag_seconds": 60}}})
    # The inventory (synced before the fault) still says CONTINUOUS: DRS is read afresh.
    failed = readiness.run_readiness(plan, ports=used)
    assert codes(failed) == [("error", "replication-unhealthy", sid(2))]
    assert failed.findings[0].detail["replication_state"] == "STALLED"
    readiness.run_readiness(plan, ports=used)  # still failing: no second announcement
    assert sb.admin("DELETE", "faults").status_code == 200
    recovered = readiness.run_readiness(plan, ports=used)
    assert recovered.status == "READY"
    assert changes == [(Transition.FAILED, "NOT_READY"), (Transition.RECOVERED, "READY")]


def test_lag_over_the_threshold_fails_while_the_state_is_continuous(
    store: SqliteStore, sb: RunningSandbox, gateway: BotoDrsGateway, changes: Changes
) -> None:
    plan = plan_of(store, "lag", [("a", [sid(1), sid(3)])])
    fault(sb, {"replication": {sid(3): {"state": "CONTINUOUS", "lag_seconds": 1200}}})
    run = readiness.run_readiness(plan, ports=ports(store, sb, gateway, changes, lag_seconds=600))
    assert codes(run) == [("error", "replication-lag", sid(3))]
    assert run.findings[0].detail["lag_seconds"] == 1200
    lenient = readiness.run_readiness(
        plan, ports=ports(store, sb, gateway, changes, lag_seconds=1800)
    )
    assert lenient.status == "READY"


def test_without_drs_reads_the_inventory_and_says_drs_is_not_configured(
    store: SqliteStore, sb: RunningSandbox, changes: Changes
) -> None:
    plan = plan_of(store, "offline", [("a", [sid(1), sid(7)])])
    run = readiness.run_readiness(plan, ports=ports(store, sb, None, changes))
    assert codes(run) == [
        ("error", "replication-unhealthy", sid(7)),
        ("error", "drs-not-configured", plan),
    ]


def test_a_full_scope_fails_and_a_scope_short_of_the_largest_wave_warns(
    store: SqliteStore, sb: RunningSandbox, gateway: BotoDrsGateway, changes: Changes
) -> None:
    # One server per job and two concurrent jobs make the quota small enough to fill here.
    tiny = quotas.Limits(servers_per_job=1, concurrent_jobs=2)
    plan = plan_of(store, "quota", [("big", [sid(1), sid(2)]), ("small", [sid(3)])])
    foreign = sb.client()
    foreign.start_recovery(sourceServers=[{"sourceServerID": sid(5)}], isDrill=True)
    short = readiness.run_readiness(plan, ports=ports(store, sb, gateway, changes, limits=tiny))
    assert short.status == "READY"
    assert codes(short) == [("warning", "quota-headroom-short", SCOPE)]
    assert "wave 'big' needs 2 job(s)" in short.findings[0].message
    foreign.start_recovery(sourceServers=[{"sourceServerID": sid(6)}], isDrill=True)
    full = readiness.run_readiness(plan, ports=ports(store, sb, gateway, changes, limits=tiny))
    assert codes(full) == [("error", "no-quota-headroom", SCOPE)]
    assert "2 active jobs" in full.findings[0].message


def test_throttled_describe_jobs_fails_the_quota_check(
    store: SqliteStore, sb: RunningSandbox, gateway: BotoDrsGateway, changes: Changes
) -> None:
    plan = plan_of(store, "throttled", [("a", [sid(1)])])
    fault(sb, {"throttle": {"DescribeJobs": 0.01}})
    sb.client().describe_jobs()  # spend the scope's only token
    run = readiness.run_readiness(plan, ports=ports(store, sb, gateway, changes))
    assert codes(run) == [("error", "drs-throttled", SCOPE)]
    assert run.findings[0].detail["retry_after"] >= 1


def test_an_empty_group_in_a_wave_with_servers_warns(
    store: SqliteStore, sb: RunningSandbox, gateway: BotoDrsGateway, changes: Changes
) -> None:
    hollow = GroupDraft(
        name="hollow", account_id=ACCOUNT, region=REGION, selection=Selection(tags={"No": "one"})
    )
    empty = create_group(store=store, draft=hollow).group.id
    full = GroupDraft(
        name="full", account_id=ACCOUNT, region=REGION, selection=Selection(server_ids=[sid(1)])
    )
    group = create_group(store=store, draft=full).group.id
    waves = [Wave(name="a", protection_group_ids=[group, empty])]
    plan = create_plan(store=store, draft=PlanDraft(name="holes", waves=waves)).id
    run = readiness.run_readiness(plan, ports=ports(store, sb, gateway, changes))
    assert run.status == "READY"
    assert codes(run) == [("warning", "group-empty", empty)]


def test_a_start_runs_the_same_checks_and_keeps_the_run_refused_or_not(
    store: SqliteStore, sb: RunningSandbox, gateway: BotoDrsGateway, changes: Changes
) -> None:
    plan = plan_of(store, "startme", [("a", [sid(1), sid(7)])])
    request = svc.StartRequest(plan, "DRILL")
    clock = SandboxTime(sb.sandbox)
    listeners = ports(store, sb, gateway, changes).listeners
    with pytest.raises(ConflictError) as refused:
        svc.start_execution(
            store=store, drs=gateway, clock=clock, request=request, listeners=listeners
        )
    assert [c["reason"] for c in refused.value.extra["conflicts"]] == ["replication-unhealthy"]
    lenient = svc.StartRequest(plan, "DRILL", allow_unhealthy=True)
    started = svc.start_execution(
        store=store, drs=gateway, clock=clock, request=lenient, listeners=listeners
    )
    history = readiness.readiness_history(store=store, plan_id=plan, limit=1)
    older = readiness.readiness_history(store=store, plan_id=plan, cursor=history.next_cursor)
    runs = [*history.items, *older.items]
    # Kept strictly: allow_unhealthy lets the start through, the plan is still not ready.
    assert [(r.trigger.value, r.status.value) for r in runs] == [
        ("start", "NOT_READY"),
        ("start", "NOT_READY"),
    ]
    assert older.next_cursor is None
    assert changes == [(Transition.FAILED, "NOT_READY")]
    on_demand = readiness.run_readiness(plan, ports=ports(store, sb, gateway, changes))
    # Now that the plan runs, busy servers are noted but do not fail a readiness run.
    assert {(f.code, f.severity.value) for f in on_demand.findings} >= {
        ("plan-running", "info"),
        ("server-busy", "info"),
    }
    assert any(started.id in f.message for f in on_demand.findings if f.code == "plan-running")


def test_a_listener_that_fails_does_not_fail_the_run(
    store: SqliteStore, sb: RunningSandbox, gateway: BotoDrsGateway, changes: Changes
) -> None:
    plan = plan_of(store, "noisy", [("a", [sid(7)])])

    def broken(change: Transition, run: ReadinessRun) -> None:
        raise RuntimeError("the mail server is down")

    used = ports(store, sb, gateway, changes)
    used.listeners = [broken, *used.listeners]
    run = readiness.run_readiness(plan, ports=used)
    assert run.status == "NOT_READY" and changes == [(Transition.FAILED, "NOT_READY")]
    assert readiness.latest_readiness(store=store, plan_id=plan) == run


def test_an_account_whose_role_cannot_be_assumed_fails_the_accounts_check(
    served: RunningSandbox, gateway: BotoDrsGateway
) -> None:
    store = SqliteStore(":memory:")
    register_accounts(store, [ACCOUNT, OTHER_ACCOUNT])
    with store.read() as uow:
        account = uow.accounts.get(ACCOUNT)
    assert account is not None
    trusted = {"external_id": account.external_id}
    assert served.admin("PUT", f"accounts/{ACCOUNT}/trust", trusted).status_code == 200
    hub = boto3.session.Session(
        aws_access_key_id="AKIAHUBKEY0000000001", aws_secret_access_key="hub-secret"
    )
    clock = SandboxTime(served.sandbox)
    sessions = StsSessions(hub=hub, endpoint_url=served.url, now=clock.now)
    probe = AwsAccountProbe(sessions, drs_endpoint_url=served.url, check_ec2=False)
    sync_inventory(store=store, drs=gateway)
    plan = _two_account_plan(store)
    used = readiness.ReadinessPorts(store=store, drs=gateway, clock=clock, probe=probe)
    run = readiness.run_readiness(plan, ports=used)
    store.close()
    failed = [f for f in run.findings if f.check == "accounts"]
    # OTHER_ACCOUNT's spoke never recorded drorch's external id: AssumeRole is refused.
    assert [(f.code, f.subject.id) for f in failed] == [("account-unreachable", OTHER_ACCOUNT)]
    assert "sts:AssumeRole" in failed[0].message
    assert failed[0].detail["scope"] == f"{OTHER_ACCOUNT}/{REGION}"


def _two_account_plan(store: SqliteStore) -> str:
    waves = []
    for name, account, server in (("a", ACCOUNT, sid(1)), ("b", OTHER_ACCOUNT, sid(10))):
        draft = GroupDraft(
            name=f"acct-{name}",
            account_id=account,
            region=REGION,
            selection=Selection(server_ids=[server]),
        )
        waves.append(
            Wave(name=name, protection_group_ids=[create_group(store=store, draft=draft).group.id])
        )
    return create_plan(store=store, draft=PlanDraft(name="accounts", waves=waves)).id


def test_a_change_of_readiness_queues_its_notification_once_per_run(
    store: SqliteStore, sb: RunningSandbox, gateway: BotoDrsGateway, changes: Changes
) -> None:
    plan = plan_of(store, "told", [("a", [sid(1), sid(2)])])
    hook = WebhookConfig(url="http://127.0.0.1:9/hook")
    channel = create_channel(store=store, draft=ChannelDraft(name="ops", config=hook)).channel
    events = [EventKind.READINESS_FAILED, EventKind.READINESS_RECOVERED]
    draft = SubscriptionDraft(channel_id=channel.id, plan_id=plan, events=events)
    create_subscription(store=store, draft=draft)
    used = ports(store, sb, gateway, changes)
    used.listeners.append(readiness_notifier(store))
    fault(sb, {"replication": {sid(2): {"state": "STALLED", "lag_seconds": 60}}})
    failed = readiness.run_readiness(plan, ports=used)
    readiness.run_readiness(plan, ports=used)  # still not ready: nothing new to say
    assert sb.admin("DELETE", "faults").status_code == 200
    readiness.run_readiness(plan, ports=used)
    with store.read() as uow:
        queued = uow.notifications.deliveries(DeliveryQuery(limit=10)).items
    assert sorted(d.kind for d in queued) == sorted(events)
    told = next(d for d in queued if d.kind == EventKind.READINESS_FAILED)
    assert told.subject.plan_id == plan and told.payload["run_id"] == failed.id
    assert any("replication" in line for line in told.payload["failing"])
