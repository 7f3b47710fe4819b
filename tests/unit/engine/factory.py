"""Builders of executions and observations for the pure engine tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from drorch.domain.executions import Execution, Snapshot, SnapshotServer
from drorch.domain.plans import RecoveryPlan, Wave
from drorch.engine.observe import Observation, ScopeView
from drorch.engine.start import build_execution
from drorch.ports.drs import DrsJob, JobServer, RecoveryInstance

T0 = datetime(2026, 1, 1, tzinfo=UTC)
ACCOUNT = "111122223333"
REGION = "us-east-1"
KEY = f"{ACCOUNT}/{REGION}"


def sid(n: int) -> str:
    """A valid source server id."""
    return f"s-{n:017x}"


def at(seconds: float) -> datetime:
    """T0 plus some seconds."""
    return T0 + timedelta(seconds=seconds)


def execution(
    waves: list[tuple[str, int]],
    *,
    depends: dict[str, list[str]] | None = None,
    pause_before: tuple[str, ...] = (),
    optional: tuple[str, ...] = (),
    type: str = "DRILL",
    region: str = REGION,
    first_server: int = 1,
    actions: dict[str, list[Any]] | None = None,
) -> Execution:
    """An execution whose waves hold consecutive servers (`(name, count)` each)."""
    plan_waves, servers, n = [], [], first_server
    for name, count in waves:
        plan_waves.append(
            Wave(
                name=name,
                protection_group_ids=[f"pg-{name}"],
                depends_on=(depends or {}).get(name),
                pause_before=name in pause_before,
                actions=(actions or {}).get(name, []),
            )
        )
        for _ in range(count):
            servers.append(
                SnapshotServer(
                    source_server_id=sid(n),
                    account_id=ACCOUNT,
                    region=region,
                    group_id=f"pg-{name}",
                    wave=name,
                    optional=sid(n) in optional,
                )
            )
            n += 1
    plan = RecoveryPlan(id="rp-1", name="plan", waves=plan_waves, created_at=T0, updated_at=T0)
    snap = Snapshot(
        plan=plan, groups=[], servers=servers, selected_waves=[w.name for w in plan_waves]
    )
    return build_execution(execution_id="ex-1", type=type, snap=snap, actor="t", now=T0)  # type: ignore[arg-type]


def job(job_id: str, servers: dict[str, str], status: str = "STARTED", **fields: Any) -> DrsJob:
    """A DRS job with per-server launch statuses."""
    parts = tuple(
        JobServer(
            s, launch_status=st, recovery_instance_id=f"ri-{s[-4:]}" if st == "LAUNCHED" else None
        )
        for s, st in servers.items()
    )
    return DrsJob(
        job_id=job_id,
        type=fields.pop("type", "LAUNCH"),
        initiated_by="START_DRILL",
        status=status,
        servers=parts,
        **fields,
    )


def observation(
    now: datetime,
    jobs: list[DrsJob] = (),  # type: ignore[assignment]
    *,
    listed: bool = True,
    instances: bool = True,
) -> Observation:
    """An observation of the default scope showing these jobs.

    With `instances`, the follow-up read answered too: every launched server's recovery
    instance is listed, as observe() reads them once a job's servers have finished.
    """
    view = ScopeView(jobs={j.job_id: j for j in jobs}, listed=listed)
    if instances:
        add_instances(view)
    return Observation(now=now, scopes={KEY: view})


def add_instances(view: ScopeView) -> None:
    """List a recovery instance (with an EC2 id) for every launched server not terminated since."""
    gone = {
        p.recovery_instance_id
        for job in view.jobs.values()
        for p in job.servers
        if job.type == "TERMINATE" and p.launch_status == "TERMINATED"
    }
    for job in view.jobs.values():
        for part in job.servers:
            finished = part.launch_status in ("LAUNCHED", "TERMINATED")
            if not finished or not part.recovery_instance_id:
                continue
            view.instances_checked.add(part.source_server_id)
            if part.launch_status == "LAUNCHED" and part.recovery_instance_id not in gone:
                view.instances[part.recovery_instance_id] = RecoveryInstance(
                    part.recovery_instance_id,
                    part.source_server_id,
                    "i-" + part.source_server_id[-8:],
                    True,
                    job.job_id,
                )
