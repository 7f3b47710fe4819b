"""The start preflight as a use case: the checks a start runs, reported, with nothing written.

Real SQLite store (a file, so its whole content can be compared) and the DRS sandbox.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from drorch.adapters.aws.drs import BotoDrsGateway
from drorch.adapters.storage.sqlite import SqliteStore
from drorch.domain.executions import Execution
from drorch.domain.groups import GroupDraft, Selection
from drorch.domain.plans import PlanDraft, Wave
from drorch.errors import ConflictError, NotFoundError, ValidationError
from drorch.services import executions as svc
from drorch.services.groups import create_group
from drorch.services.inventory import sync_inventory
from drorch.services.plans import create_plan
from tests.support.builders import register_accounts
from tests.support.identity import acting
from tests.support.sandbox import (
    ACCOUNT,
    REGION,
    RunningSandbox,
    SandboxTime,
    many_servers,
    reset_and_checked,
    running_sandbox,
    sid,
    small_fleet,
)

# Enough servers of one scope to fill its 20 concurrent jobs with foreign one-server jobs.
SPARE = 1000
DRS_CONCURRENT_JOBS = 20
SCOPE = f"{ACCOUNT}/{REGION}"


def fleet() -> dict[str, Any]:
    """The small fleet (sid 7 STALLED, sid 8 INITIAL_SYNC) plus spare healthy servers."""
    data = small_fleet()
    data["servers"] += many_servers(DRS_CONCURRENT_JOBS, start=SPARE)["servers"]
    return data


@pytest.fixture(scope="module")
def served() -> Iterator[RunningSandbox]:
    """One sandbox for the module, on a virtual clock."""
    with running_sandbox(fleet(), clock="virtual") as sb:
        yield sb


@pytest.fixture(scope="module")
def gateway(served: RunningSandbox) -> BotoDrsGateway:
    """drorch's DRS adapter pointed at the module's sandbox."""
    return served.gateway()


@pytest.fixture
def sb(served: RunningSandbox) -> Iterator[RunningSandbox]:
    """The sandbox reset to its fleet (no jobs) for each test."""
    with reset_and_checked(served) as sandbox:
        yield sandbox


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Where the test's SQLite file lives."""
    return tmp_path / "drorch.db"


@pytest.fixture
def store(db: Path, sb: RunningSandbox, gateway: BotoDrsGateway) -> Iterator[SqliteStore]:
    """A file store holding the sandbox's inventory."""
    opened = SqliteStore(db)
    register_accounts(opened)
    sync_inventory(store=opened, drs=gateway)
    yield opened
    opened.close()


def make_plan(store: SqliteStore, name: str, waves: Sequence[tuple[str, Sequence[str]]]) -> str:
    """One explicit group per wave, then the plan; returns the plan id."""
    made = []
    for wave, ids in waves:
        draft = GroupDraft(
            name=f"{name}-{wave}",
            account_id=ACCOUNT,
            region=REGION,
            selection=Selection(server_ids=list(ids)),
        )
        group = create_group(store=store, draft=draft).group
        made.append(Wave(name=wave, protection_group_ids=[group.id]))
    return create_plan(store=store, draft=PlanDraft(name=name, waves=made)).id


def preflight(
    store: SqliteStore, sb: RunningSandbox, gateway: BotoDrsGateway | None, plan: str, **kw: Any
) -> svc.Preflight:
    """Preflight a DRILL (unless `type` says otherwise) on the sandbox's clock."""
    return svc.preflight_execution(
        store=store,
        drs=gateway,
        clock=SandboxTime(sb.sandbox),
        request=svc.StartRequest(plan, kw.pop("type", "DRILL"), **kw),
    )


def start(
    store: SqliteStore, sb: RunningSandbox, gateway: BotoDrsGateway, plan: str, **kw: Any
) -> Execution:
    """Start a DRILL (unless `type` says otherwise) on the sandbox's clock."""
    return svc.start_execution(
        store=store,
        drs=gateway,
        clock=SandboxTime(sb.sandbox),
        request=svc.StartRequest(plan, kw.pop("type", "DRILL"), **kw),
        audit=acting("tester"),
    )


def dump(db: Path) -> list[str]:
    """Every row of the database, as SQL."""
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def kinds(found: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    """(reason, server or scope) of each finding."""
    return [(f["reason"], f.get("source_server_id") or f.get("scope")) for f in found]


def test_a_healthy_plan_passes_and_the_waves_are_forecast(
    store: SqliteStore, sb: RunningSandbox, gateway: BotoDrsGateway
) -> None:
    plan = make_plan(store, "ok", [("db", [sid(1), sid(2)]), ("web", [sid(3)])])
    result = preflight(store, sb, gateway, plan)
    assert result.ok and result.reasons == [] and result.warnings == []
    assert result.server_count == 3
    forecast = [(w.name, w.depends_on, w.server_count, w.job_count) for w in result.waves()]
    assert forecast == [("db", [], 2, 1), ("web", ["db"], 1, 1)]
    only_web = preflight(store, sb, gateway, "ok", waves=["web"])
    assert [(w.name, w.depends_on) for w in only_web.waves()] == [("web", [])]
    assert only_web.server_count == 1


def test_a_preflight_writes_nothing(
    db: Path, store: SqliteStore, sb: RunningSandbox, gateway: BotoDrsGateway
) -> None:
    passing = make_plan(store, "passing", [("a", [sid(1)])])
    blocked = make_plan(store, "blocked", [("a", [sid(7)])])
    before = dump(db)
    assert preflight(store, sb, gateway, passing, type="RECOVERY").ok
    assert not preflight(store, sb, gateway, blocked).ok
    assert dump(db) == before
    assert svc.list_executions(store=store).items == []
    assert sb.stats()["launches"] == {}


def test_the_reasons_are_exactly_those_a_start_refuses_with(
    store: SqliteStore, sb: RunningSandbox, gateway: BotoDrsGateway
) -> None:
    first = make_plan(store, "first", [("a", [sid(1), sid(2)])])
    running = start(store, sb, gateway, first)
    second = make_plan(store, "second", [("a", [sid(3), sid(7), sid(8)])])
    for plan in (first, second):
        result = preflight(store, sb, gateway, plan)
        with pytest.raises(ConflictError) as refused:
            start(store, sb, gateway, plan)
        assert not result.ok
        assert result.reasons == refused.value.extra["conflicts"]
    again = preflight(store, sb, gateway, first)
    assert kinds(again.reasons) == [
        ("plan-running", None),
        ("server-busy", sid(1)),
        ("server-busy", sid(2)),
    ]
    assert again.reasons[0]["execution_id"] == running.id


def test_allow_unhealthy_turns_unhealthy_replication_into_warnings(
    store: SqliteStore, sb: RunningSandbox, gateway: BotoDrsGateway
) -> None:
    plan = make_plan(store, "stalled", [("a", [sid(3), sid(7)])])
    strict = preflight(store, sb, gateway, plan)
    assert kinds(strict.reasons) == [("replication-unhealthy", sid(7))]
    assert strict.warnings == []
    lenient = preflight(store, sb, gateway, plan, allow_unhealthy=True)
    assert lenient.ok and lenient.reasons == []
    assert kinds(lenient.warnings) == [("replication-unhealthy", sid(7))]
    assert lenient.warnings[0]["replication_state"] == "STALLED"
    assert "accepted" in lenient.warnings[0]["message"]


def test_a_full_scope_blocks_a_drill_and_only_warns_a_recovery(
    store: SqliteStore, sb: RunningSandbox, gateway: BotoDrsGateway
) -> None:
    plan = make_plan(store, "full", [("a", [sid(1)])])
    drs = sb.client()
    for n in range(DRS_CONCURRENT_JOBS):  # jobs drorch did not start fill the scope
        drs.start_recovery(sourceServers=[{"sourceServerID": sid(SPARE + n)}], isDrill=True)
    drill = preflight(store, sb, gateway, plan)
    assert kinds(drill.reasons) == [("no-quota-headroom", SCOPE)]
    assert f"{DRS_CONCURRENT_JOBS} active jobs" in drill.reasons[0]["message"]
    recovery = preflight(store, sb, gateway, plan, type="RECOVERY")
    assert recovery.ok
    assert kinds(recovery.warnings) == [("no-quota-headroom", SCOPE)]


def test_an_empty_wave_is_a_warning(
    store: SqliteStore, sb: RunningSandbox, gateway: BotoDrsGateway
) -> None:
    plan = make_plan(store, "hollow", [("a", [sid(1)]), ("b", [])])
    result = preflight(store, sb, gateway, plan)
    assert result.ok
    assert [(w["reason"], w["wave"]) for w in result.warnings] == [("wave-empty", "b")]
    assert [w.job_count for w in result.waves()] == [1, 0]


def test_without_drs_every_preflight_is_blocked(store: SqliteStore, sb: RunningSandbox) -> None:
    plan = make_plan(store, "nodrs", [("a", [sid(1)])])
    result = preflight(store, sb, None, plan)
    assert kinds(result.reasons) == [("drs-not-configured", None)]


def test_unknown_plan_or_wave_is_refused_as_a_start_would(
    store: SqliteStore, sb: RunningSandbox, gateway: BotoDrsGateway
) -> None:
    with pytest.raises(NotFoundError):
        preflight(store, sb, gateway, "rp-000000000000")
    plan = make_plan(store, "waves", [("a", [sid(1)])])
    with pytest.raises(ValidationError) as caught:
        preflight(store, sb, gateway, plan, waves=["nope"])
    assert caught.value.extra["errors"][0]["path"] == "waves"
