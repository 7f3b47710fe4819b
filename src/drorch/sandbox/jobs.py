"""StartRecovery and TerminateRecoveryInstances: quota checks, then a scheduled job."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drorch.sandbox import render
from drorch.sandbox.errors import Conflict, NotFound, QuotaExceeded, Validation
from drorch.sandbox.snapshots import latest, snapshots
from drorch.sandbox.state import Job, LastLaunch, Participant, ScopeState, ServerState
from drorch.sandbox.timing import LaunchPlan

if TYPE_CHECKING:
    from drorch.sandbox.core import Sandbox

# Replication states in which DRS can take a fresh snapshot at launch time.
FRESH_SNAPSHOT = frozenset({"CONTINUOUS", "BACKLOG", "CREATING_SNAPSHOT", "RESCAN"})


def start_recovery(sb: Sandbox, scope: ScopeState, p: dict[str, Any]) -> dict[str, Any]:
    """StartRecovery: a LAUNCH job for the given servers (drill or recovery)."""
    entries = p["sourceServers"]
    ids = [entry["sourceServerID"] for entry in entries]
    if len(set(ids)) != len(ids):
        raise Validation(
            "a source server appears more than once in sourceServers",
            fields=[{"name": "sourceServers", "message": "duplicate sourceServerID"}],
        )
    servers = [_known(scope, sid) for sid in ids]
    _check_capacity(sb, scope, ids, sb.fleet.quotas.servers_per_job, "StartRecovery")
    is_drill = bool(p.get("isDrill", False))
    now = sb.clock.now()
    job = _new_job(sb, scope, now, "LAUNCH", "START_DRILL" if is_drill else "START_RECOVERY")
    job.tags = dict(p.get("tags") or {})
    job.participants = {sid: Participant(sid) for sid in ids}
    plans = [
        _plan(sb, job.id, server, entry, now)
        for server, entry in zip(servers, entries, strict=True)
    ]
    job.pending = sb.timing.launch_steps(job.id, now, [plan for plan, _ in plans])
    _attach_snapshot_times(job, {plan.server_id: moment for plan, moment in plans})
    for server in servers:
        server.last_launch_result = "PENDING"
        kind = "DRILL" if is_drill else "RECOVERY"
        server.last_launch = LastLaunch(job.id, now, kind, "PENDING")
        sb.launches[server.spec.id] = sb.launches.get(server.spec.id, 0) + 1
    sb.register_job(scope, job)
    return {"job": render.job(job)}


def _attach_snapshot_times(job: Job, times: dict[str, float]) -> None:
    # Recovery instances report the point in time they were launched from.
    for step in job.pending:
        if step.kind == "LAUNCH_START" and step.server_id in times:
            step.data["snapshotTime"] = times[step.server_id]


def _plan(
    sb: Sandbox, job_id: str, server: ServerState, entry: dict[str, Any], now: float
) -> tuple[LaunchPlan, float]:
    spec = server.spec
    chosen = entry.get("recoverySnapshotID")
    if chosen:
        found = [s for s in snapshots(server, now, sb.fleet.seed) if s.id == chosen]
        if not found:
            raise NotFound(
                f"recovery snapshot {chosen} does not exist for {spec.id}",
                resource_id=chosen,
                resource_type="RECOVERY_SNAPSHOT",
            )
        mode, moment = "PREVIOUS", found[0].at
    elif spec.replication_state in FRESH_SNAPSHOT:
        mode, moment = "NEW", now
    else:
        previous = latest(server, now, sb.fleet.seed)
        mode, moment = ("PREVIOUS", previous.at) if previous else ("NONE", now)
    fail = sb.faults.fail_launches.get(spec.id) or sb.timing.fails(
        job_id, spec.id, spec.launch_failure_probability
    )
    plan = LaunchPlan(spec.id, spec.os, mode, fail, sb.timing.instance_id(job_id, spec.id))
    return plan, moment


def terminate_recovery_instances(
    sb: Sandbox, scope: ScopeState, p: dict[str, Any]
) -> dict[str, Any]:
    """TerminateRecoveryInstances: a TERMINATE job that removes the instances."""
    instance_ids = list(dict.fromkeys(p["recoveryInstanceIDs"]))
    instances = []
    for iid in instance_ids:
        inst = scope.instances.get(iid)
        if inst is None:
            raise NotFound(
                f"recovery instance {iid} does not exist",
                resource_id=iid,
                resource_type="RECOVERY_INSTANCE",
            )
        instances.append(inst)
    server_ids = [inst.server_id for inst in instances]
    _check_capacity(sb, scope, server_ids, None, "TerminateRecoveryInstances")
    now = sb.clock.now()
    job = _new_job(sb, scope, now, "TERMINATE", "TERMINATE_RECOVERY_INSTANCES")
    job.participants = {
        inst.server_id: Participant(inst.server_id, recovery_instance_id=inst.id)
        for inst in instances
    }
    failing = set(server_ids) & sb.faults.fail_terminations
    job.pending = sb.timing.terminate_steps(job.id, now, server_ids, failing=failing)
    sb.register_job(scope, job)
    return {"job": render.job(job)}


def _known(scope: ScopeState, server_id: str) -> ServerState:
    server = scope.servers.get(server_id)
    if server is None:
        raise NotFound(
            f"source server {server_id} does not exist in account {scope.account} {scope.region}",
            resource_id=server_id,
            resource_type="SOURCE_SERVER",
        )
    return server


def _check_capacity(
    sb: Sandbox, scope: ScopeState, server_ids: list[str], per_job: int | None, operation: str
) -> None:
    """DRS quotas for a new job, checked in the order DRS reports them."""
    quotas = sb.fleet.quotas
    if per_job is not None and len(server_ids) > per_job:
        raise QuotaExceeded(
            f"{operation} got {len(server_ids)} source servers; one job takes at most {per_job}",
            resource_type="JOB",
        )
    busy = scope.busy_servers()
    clash = [sid for sid in server_ids if sid in busy]
    if clash:
        raise Conflict(
            f"source server {clash[0]} is already part of an active job",
            resource_id=clash[0],
            resource_type="SOURCE_SERVER",
        )
    active = scope.active_jobs()
    if len(active) >= quotas.concurrent_jobs:
        raise QuotaExceeded(
            f"{len(active)} jobs are active; DRS allows {quotas.concurrent_jobs} at once",
            resource_type="JOB",
        )
    if len(busy) + len(server_ids) > quotas.servers_in_active_jobs:
        raise QuotaExceeded(
            f"{len(busy)} source servers are in active jobs; adding {len(server_ids)} would "
            f"pass the limit of {quotas.servers_in_active_jobs}",
            resource_type="SOURCE_SERVER",
        )


def _new_job(sb: Sandbox, scope: ScopeState, now: float, kind: str, initiated_by: str) -> Job:
    return Job(
        id=sb.next_id("drsjob"),
        account=scope.account,
        region=scope.region,
        type=kind,
        initiated_by=initiated_by,
        created=now,
        participants={},
    )
