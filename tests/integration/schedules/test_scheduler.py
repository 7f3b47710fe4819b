"""The scheduler on real SQLite and the sandbox, under a virtual clock."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from drorch.adapters.storage.sqlite import SqliteStore
from drorch.domain.identity import Role
from drorch.domain.notifications import ChannelDraft, EventKind, SubscriptionDraft, WebhookConfig
from drorch.domain.schedules import RunStatus, ScheduleRun
from drorch.domain.users import User, principal_of
from drorch.ports.store import AuditQuery, DeliveryQuery
from drorch.services import executions, notification_setup, schedules, users
from drorch.services.audit import CLI_AUDIT, AuditContext
from drorch.services.users import UserChanges
from tests.integration.schedules.conftest import START, Lab

SATURDAY_0600_BERLIN = datetime(2026, 12, 5, 5, 0, tzinfo=UTC)


def runs(lab: Lab, schedule_id: str) -> list[ScheduleRun]:
    return schedules.list_runs(store=lab.store, schedule_id=schedule_id).items


def audit_of(lab: Lab, action: str) -> list[object]:
    with lab.store.read() as uow:
        return list(uow.audit.page(AuditQuery(action=action)).items)


def test_a_weekly_drill_of_two_waves_starts_as_its_owner_at_its_time(lab: Lab) -> None:
    owner = lab.user("olga")
    plan = lab.plan("weekly", {"db": [1000, 1001], "app": [1002], "web": [1003]})
    view = lab.schedule(
        owner,
        kind="drill",
        plan_id=plan,
        waves=["db", "app"],
        cron="0 6 * * 6",
        timezone="Europe/Berlin",
    )
    assert view.next_due_at == SATURDAY_0600_BERLIN
    assert lab.scheduler.tick() == []  # nothing due on Tuesday

    lab.at(SATURDAY_0600_BERLIN + timedelta(seconds=20))
    [run] = lab.scheduler.tick()
    assert run.status is RunStatus.STARTED and not run.late and run.missed == 0
    execution = executions.get_execution(store=lab.store, execution_id=run.execution_id or "")
    assert execution.type == "DRILL" and execution.started_by == "olga"
    assert [w.name for w in execution.waves] == ["db", "app"]
    assert lab.scheduler.tick() == []  # claimed once
    assert schedules.get_schedule(store=lab.store, schedule_id=view.schedule.id).next_due_at == (
        SATURDAY_0600_BERLIN + timedelta(days=7)
    )
    [started] = audit_of(lab, "execution.start")
    [ran] = audit_of(lab, "schedule.run")
    assert started.username == ran.username == "olga"  # type: ignore[attr-defined]
    assert ran.source == "schedule" and ran.outcome == "success"  # type: ignore[attr-defined]
    assert ran.detail["execution_id"] == run.execution_id  # type: ignore[attr-defined]


def test_a_busy_plan_records_a_skipped_run_with_the_reason(lab: Lab) -> None:
    owner = lab.user("bob")
    plan = lab.plan("busy", {"db": [1004]})
    view = lab.schedule(owner, kind="drill", plan_id=plan, cron="*/30 * * * *")
    manual = executions.start_execution(
        store=lab.store,
        drs=lab.container.drs,
        clock=lab.clock,
        request=executions.StartRequest(plan_id_or_name=plan, type="DRILL"),
        audit=owner,
    )
    lab.at(START + timedelta(minutes=30))
    [run] = lab.scheduler.tick()
    assert run.status is RunStatus.SKIPPED
    assert run.reasons[0]["reason"] == "plan-running"
    assert run.reasons[0]["execution_id"] == manual.id
    assert runs(lab, view.schedule.id) == [run]
    [ran] = audit_of(lab, "schedule.run")
    assert ran.outcome == "refused" and ran.detail["reasons"] == ["plan-running", "server-busy"]  # type: ignore[attr-defined]


def test_a_skipped_run_queues_one_schedule_skipped_notification(lab: Lab) -> None:
    owner = lab.user("sven")
    plan = lab.plan("skipper", {"db": [1010]})
    channel = notification_setup.create_channel(
        store=lab.store,
        draft=ChannelDraft(name="ops hook", config=WebhookConfig(url="http://127.0.0.1:9/hook")),
    ).channel
    notification_setup.create_subscription(
        store=lab.store,
        draft=SubscriptionDraft(channel_id=channel.id, events=[EventKind.SCHEDULE_SKIPPED]),
    )
    view = lab.schedule(owner, kind="drill", plan_id=plan, cron="*/30 * * * *")
    assert owner.principal is not None
    users.update_user(
        store=lab.store,
        audit=CLI_AUDIT,
        user_id=owner.principal.subject,
        changes=UserChanges(enabled=False),
    )
    lab.at(START + timedelta(minutes=30))
    [run] = lab.scheduler.tick()
    assert run.status is RunStatus.SKIPPED
    with lab.store.read() as uow:
        [delivery] = uow.notifications.deliveries(DeliveryQuery()).items
    assert delivery.kind is EventKind.SCHEDULE_SKIPPED and delivery.channel_id == channel.id
    assert delivery.subject.id == view.schedule.id and delivery.subject.plan_name == "skipper"
    assert delivery.payload["reason"] == "owner-disabled"
    assert "skipped a scheduled run" in delivery.title


def test_a_missed_run_is_caught_up_once_and_marked_late(lab: Lab) -> None:
    owner = lab.user("carl")
    plan = lab.plan("missed", {"db": [1005]})
    view = lab.schedule(owner, kind="readiness", plan_id=plan, cron="*/30 * * * *")
    # The process was down from 22:00 to 01:10: slots 22:30 ... 01:00 (six of them) passed.
    lab.at(START + timedelta(hours=3, minutes=10))
    [run] = lab.scheduler.tick()
    assert run.due_at == START + timedelta(minutes=30)
    assert run.late and run.missed == 5
    assert run.status is RunStatus.SUCCEEDED, run.message
    assert lab.scheduler.tick() == []
    later = schedules.get_schedule(store=lab.store, schedule_id=view.schedule.id)
    assert later.next_due_at == START + timedelta(hours=3, minutes=30)


def test_two_workers_claim_one_run_exactly_once(lab: Lab) -> None:
    owner = lab.user("dora")
    plan = lab.plan("race", {"db": [1006]})
    view = lab.schedule(owner, kind="readiness", plan_id=plan, cron="*/30 * * * *")
    lab.at(START + timedelta(minutes=31))
    # A second worker: its own store connection to the same file, as another process has.
    other_store = SqliteStore(lab.container.settings.db_path)
    try:
        contenders = [lab.scheduler, _other_scheduler(lab, other_store)]
        gate = threading.Barrier(len(contenders) * 4)
        won: list[ScheduleRun] = []

        def race(worker: object) -> None:
            gate.wait()
            won.extend(worker.tick())  # type: ignore[attr-defined]

        threads = [threading.Thread(target=race, args=(w,)) for w in contenders * 4]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        other_store.close()
    assert len(won) == 1
    assert [r.id for r in runs(lab, view.schedule.id)] == [won[0].id]


def _other_scheduler(lab: Lab, store: SqliteStore) -> object:
    from dataclasses import replace

    from drorch.services.scheduler import Scheduler

    return Scheduler(replace(lab.scheduler.tools, store=store), owner="other-worker")


def test_a_disabled_owner_skips_the_run_with_the_reason(lab: Lab) -> None:
    owner = lab.user("erin")
    plan = lab.plan("owner", {"db": [1007]})
    lab.schedule(owner, kind="drill", plan_id=plan, cron="0 * * * *")
    assert owner.principal is not None
    users.update_user(
        store=lab.store,
        audit=CLI_AUDIT,
        user_id=owner.principal.subject,
        changes=UserChanges(enabled=False),
    )
    lab.at(START + timedelta(hours=1))
    [run] = lab.scheduler.tick()
    assert run.status is RunStatus.SKIPPED and run.reasons[0]["reason"] == "owner-disabled"
    with lab.store.read() as uow:
        assert uow.executions.active_summaries() == []


def test_an_owner_demoted_below_the_kind_skips_with_the_missing_permission(lab: Lab) -> None:
    owner = lab.user("fred")
    plan = lab.plan("demoted", {"db": [1008]})
    lab.schedule(owner, kind="readiness", plan_id=plan, cron="0 * * * *")
    assert owner.principal is not None
    users.update_user(
        store=lab.store,
        audit=CLI_AUDIT,
        user_id=owner.principal.subject,
        changes=UserChanges(role=Role.VIEWER),
    )
    lab.at(START + timedelta(hours=1))
    [run] = lab.scheduler.tick()
    assert run.reasons == [
        {
            "reason": "owner-not-permitted",
            "message": "the owner fred may no longer do this (drills:start is missing)",
            "permission": "drills:start",
        }
    ]


def test_a_one_off_runs_once_and_a_deleted_plan_is_a_skip(lab: Lab) -> None:
    owner = lab.user("gina")
    plan = lab.plan("once", {"db": [1009]})
    view = lab.schedule(owner, kind="drill", plan_id=plan, at=START + timedelta(hours=2))
    from drorch.services.plans import delete_plan

    delete_plan(store=lab.store, plan_id=plan, if_match=None)
    lab.at(START + timedelta(days=1))
    [run] = lab.scheduler.tick()
    assert run.status is RunStatus.SKIPPED and run.late
    assert run.reasons[0]["reason"] == "plan-changed"
    assert schedules.get_schedule(store=lab.store, schedule_id=view.schedule.id).next_due_at is None
    lab.at(START + timedelta(days=2))
    assert lab.scheduler.tick() == []


def test_scheduled_backups_keep_only_the_newest(lab: Lab) -> None:
    admin = lab.user("hana", Role.ADMIN)
    view = lab.schedule(admin, kind="backup", cron="0 3 * * *", retention=2)
    written = []
    for day in range(3):
        lab.at(datetime(2026, 12, 2 + day, 3, 0, 5, tzinfo=UTC))
        [run] = lab.scheduler.tick()
        assert run.status is RunStatus.SUCCEEDED, run.message
        written.append(Path(run.detail["path"]))
    folder = lab.data_dir / "backups" / view.schedule.id
    assert sorted(folder.iterdir()) == written[1:]
    assert run.detail["pruned"] == [written[0].name]
    assert oct(written[-1].stat().st_mode & 0o777) == "0o600"


def test_a_run_left_running_by_a_stopped_worker_is_closed(lab: Lab) -> None:
    owner = lab.user("ivan")
    plan = lab.plan("stale", {"db": [1010]})
    view = lab.schedule(owner, kind="readiness", plan_id=plan, cron="0 * * * *")
    lab.at(START + timedelta(hours=1))
    with lab.store.read() as uow:
        [(schedule, due)] = uow.schedules.due(lab.clock.now())
    claimed = lab.scheduler.claim(schedule, due, lab.clock.now())  # and then the worker died
    assert claimed is not None
    lab.at(START + timedelta(hours=3))
    assert lab.scheduler.close_stale() == 1
    [run] = runs(lab, view.schedule.id)
    assert run.status is RunStatus.FAILED and "stopped" in run.message


def test_saving_the_same_timing_keeps_a_pending_due_time(lab: Lab) -> None:
    owner = lab.user("jane")
    plan = lab.plan("keep", {"db": [1011]})
    view = lab.schedule(owner, kind="readiness", plan_id=plan, cron="0 * * * *")
    lab.at(START + timedelta(hours=1, minutes=5))  # due, not yet ticked
    other = AuditContext(principal_of(_made(lab, "kate")), request_id="t")
    draft = view.schedule.model_copy(update={"name": "renamed"})
    updated = schedules.update_schedule(
        store=lab.store,
        schedule_id=view.schedule.id,
        draft=schedules.ScheduleDraft.model_validate(
            draft.model_dump(include=set(schedules.ScheduleDraft.model_fields))
        ),
        if_match=1,
        audit=other,
        clock=lab.clock,
    )
    assert updated.next_due_at == START + timedelta(hours=1)
    assert updated.schedule.owner.username == "kate" and updated.schedule.created_by == "jane"
    [run] = lab.scheduler.tick()
    assert run.status is RunStatus.SUCCEEDED


def _made(lab: Lab, name: str) -> User:
    lab.user(name)
    return users.get_user(store=lab.store, user_id=name)


def test_the_demo_schedules_a_weekly_drill_and_a_readiness_run_once(lab: Lab) -> None:
    from drorch.services.plans import get_plan
    from drorch.services.sample_schedules import ensure_sample_schedules

    admin = lab.user("demo-admin", Role.ADMIN)
    plan = get_plan(store=lab.store, plan_id=lab.plan("sample", {"db": [1000]}))
    made = ensure_sample_schedules(store=lab.store, plan=plan, audit=admin, clock=lab.clock)
    assert made == ["sample-weekly-drill", "sample-readiness"]
    assert ensure_sample_schedules(store=lab.store, plan=plan, audit=admin) == []
    views = {v.schedule.name: v for v in schedules.list_schedules(store=lab.store)}
    weekly = views["sample-weekly-drill"]
    # Saturday 5 December 2026, 06:00 in New York (EST) is 11:00 UTC.
    assert weekly.next_due_at == datetime(2026, 12, 5, 11, 0, tzinfo=UTC)
    assert views["sample-readiness"].next_due_at == START + timedelta(minutes=30)


def _ticked_through(lab: Lab, start: datetime, hours: int, cron: str, zone: str) -> list[datetime]:
    """Due times of the runs a readiness schedule got, ticking every 10 minutes from `start`."""
    from drorch.adapters.clock import ManualClock
    from drorch.bootstrap import scheduler_for

    clock = ManualClock(start)
    scheduler = scheduler_for(lab.container, clock)
    owner = lab.user(f"dst-{zone.split('/')[-1].lower()}")
    plan = lab.plan(f"dst-{cron.split()[1]}", {"db": [1000]})
    draft = schedules.ScheduleDraft(
        name=f"dst-{zone}", kind="readiness", plan_id=plan, cron=cron, timezone=zone
    )
    view = schedules.create_schedule(store=lab.store, draft=draft, audit=owner, clock=clock)
    for _ in range(hours * 6):
        clock.advance(600)
        scheduler.tick()
    return [r.due_at for r in runs(lab, view.schedule.id)]


def test_a_0230_run_on_the_spring_forward_night_runs_once(lab: Lab) -> None:
    start = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    due = _ticked_through(lab, start, 24, "30 2 * * *", "Europe/Berlin")
    assert due == [datetime(2026, 3, 29, 1, 0, tzinfo=UTC)]  # 03:00 CEST, straight after the gap


def test_a_0130_run_on_the_fall_back_night_runs_once(lab: Lab) -> None:
    start = datetime(2026, 10, 31, 12, 0, tzinfo=UTC)
    due = _ticked_through(lab, start, 24, "30 1 * * *", "America/New_York")
    assert due == [datetime(2026, 11, 1, 5, 30, tzinfo=UTC)]  # 01:30 EDT, not again at EST
