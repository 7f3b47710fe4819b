"""Fold observed DRS jobs into batches and servers (pure, in place on a working copy)."""

from __future__ import annotations

from drorch.domain.executions import Batch, Execution, ServerRun, scope_key
from drorch.domain.statuses import BatchState, DrsJobStatus, DrsLaunchStatus
from drorch.engine import quiet
from drorch.engine import rules as r
from drorch.engine.config import EngineConfig
from drorch.engine.observe import Observation, ScopeView
from drorch.engine.rules import Changes
from drorch.engine.working import ServerIndex
from drorch.ports.drs import DrsJob

FAIL_EVENTS = frozenset(
    {"LAUNCH_FAILED", "CONVERSION_FAIL", "SNAPSHOT_FAIL", "USING_PREVIOUS_SNAPSHOT_FAILED"}
)
EWMA = 0.5


def server_index(ex: Execution) -> ServerIndex:
    """Server id -> the server run, as the working copy may change it (copied on lookup)."""
    return ServerIndex(ex)


def fold_jobs(ex: Execution, obs: Observation, changes: Changes, config: EngineConfig) -> None:
    """Update every ACTIVE batch from the jobs DRS reported for it."""
    index = server_index(ex)
    for batch in ex.batches:
        if batch.state != "ACTIVE" or not batch.job_id:
            continue
        view = obs.scopes.get(scope_key(batch.account_id, batch.region))
        job = view.jobs.get(batch.job_id) if view else None
        if view is None or job is None:
            continue
        if batch.kind == "LAUNCH":
            _fold_launch(ex, batch, job, view, index, changes)
        else:
            _fold_terminate(ex, batch, job, view, index, changes)
        _warn_stall(ex, batch, changes, config)


def _fold_launch(
    ex: Execution,
    batch: Batch,
    job: DrsJob,
    view: ScopeView,
    index: ServerIndex,
    changes: Changes,
) -> None:
    batch.job_status = DrsJobStatus(job.status)
    launched, failed = _fold_servers(ex, batch, job, index, changes)
    if job.status == "COMPLETED":
        # The engine's own clock, not DRS's timestamps: a sandbox may run on scaled time.
        batch.ended_at = batch.ended_at or changes.now
        failed += _stuck(batch, index, failed)
    if batch.job_id not in view.logs_unread:
        _fail_servers(batch, failed, view, changes)  # else: fail them once the reason is read
    _attach_instances(batch, view, index)
    if launched:
        changes.note(
            "servers.launched",
            f"{launched} server(s) of wave {batch.wave} launched (job {batch.job_id})",
            wave=batch.wave,
            job_id=batch.job_id,
            count=launched,
        )
    if job.status == "COMPLETED" and _fully_read(batch, view, index, changes):
        _end_batch(ex, batch, changes)


def _fold_servers(
    ex: Execution, batch: Batch, job: DrsJob, index: ServerIndex, changes: Changes
) -> tuple[int, list[ServerRun]]:
    """Each server as DRS reports it (only those not quiet): (launched count, failed)."""
    launched = 0
    failed: list[ServerRun] = []
    unsettled: list[int] = []  # servers this fold changed, or must look at again next time
    parts = job.servers
    examined = quiet.to_examine(ex, batch, job)
    for i in examined:
        part = parts[i]
        seen = index.peek(part.source_server_id)
        if seen is None:
            continue
        instance = part.recovery_instance_id or seen.recovery_instance_id
        same = (seen.launch_status, seen.job_id, seen.recovery_instance_id) == (
            part.launch_status,
            batch.job_id,
            instance,
        )
        if same and not (seen.status == "LAUNCHING" and part.launch_status == "LAUNCHED"):
            if seen.status == "LAUNCHING" and part.launch_status == "FAILED":
                failed.append(index[part.source_server_id])
                unsettled.append(i)  # failed once its reason is read: look again
            continue  # nothing new for this server: leave it shared, unwritten
        server = index[part.source_server_id]
        unsettled.append(i)
        server.launch_status = DrsLaunchStatus(part.launch_status)
        server.job_id = batch.job_id
        server.recovery_instance_id = instance
        if server.status == "LAUNCHING" and part.launch_status == "LAUNCHED":
            r.move_server(server, r.LAUNCHED, changes.now)
            launched += 1
        elif server.status == "LAUNCHING" and part.launch_status == "FAILED":
            failed.append(server)
    quiet.record(ex, batch, job, examined, unsettled)
    return launched, failed


def _stuck(batch: Batch, index: ServerIndex, failed: list[ServerRun]) -> list[ServerRun]:
    """Servers of a completed job that never reached LAUNCHED: they failed too."""
    seen = {s.source_server_id for s in failed}
    return [
        index[s]
        for s in batch.source_server_ids
        if s not in seen and _status(index, s) == "LAUNCHING"
    ]


def _status(index: ServerIndex, server_id: str) -> str | None:
    server = index.peek(server_id)
    return server.status if server else None


def _fully_read(batch: Batch, view: ScopeView, index: ServerIndex, changes: Changes) -> bool:
    """True once every server's outcome, failure reason and EC2 instance have been read."""
    servers = [s for s in map(index.peek, batch.source_server_ids) if s is not None]
    if any(s.status == "LAUNCHING" for s in servers):
        return False  # a failure whose reason could not be read yet
    unknown = [s for s in servers if s.status == "LAUNCHED" and not s.ec2_instance_id]
    if any(s.source_server_id not in view.instances_checked for s in unknown):
        return False
    for server in unknown:
        # DRS answered and lists no instance for it: say so rather than wait forever.
        changes.note(
            "server.instance-unknown",
            f"DRS lists no recovery instance for launched server {server.source_server_id}",
            wave=batch.wave,
            source_server_id=server.source_server_id,
            job_id=batch.job_id,
        )
    return True


def _end_batch(ex: Execution, batch: Batch, changes: Changes) -> None:
    batch.state = BatchState.DONE
    quiet.forget(batch)
    _learn_duration(ex, batch)
    changes.note(
        "job.completed",
        f"job {batch.job_id} ({batch.kind}, wave {batch.wave}) completed",
        wave=batch.wave,
        job_id=batch.job_id,
        batch_id=batch.batch_id,
    )


def _fail_servers(batch: Batch, failed: list[ServerRun], view: ScopeView, changes: Changes) -> None:
    reasons = _reasons(view, batch.job_id or "")
    for server in failed:
        if server.status != "LAUNCHING":
            continue
        status = server.launch_status or "unknown"
        server.error = reasons.get(server.source_server_id, f"launchStatus {status}")
        r.move_server(server, r.LAUNCH_FAILED, changes.now)
        changes.note(
            "server.failed",
            f"{server.source_server_id} failed to launch: {server.error}",
            wave=batch.wave,
            source_server_id=server.source_server_id,
            job_id=batch.job_id,
            optional=server.optional,
        )


def _reasons(view: ScopeView, job_id: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in view.log_items.get(job_id, []):
        if item.event in FAIL_EVENTS and item.source_server_id:
            found[item.source_server_id] = f"{item.event} {item.detail}".strip()
    return found


def _attach_instances(batch: Batch, view: ScopeView, index: ServerIndex) -> None:
    if not view.instances:
        return
    members = set(batch.source_server_ids)
    for inst in view.instances.values():
        seen = index.peek(inst.source_server_id) if inst.source_server_id in members else None
        if seen is None or seen.recovery_instance_id not in (None, inst.recovery_instance_id):
            continue
        if (seen.recovery_instance_id, seen.ec2_instance_id) == (
            inst.recovery_instance_id,
            inst.ec2_instance_id,
        ):
            continue
        server = index[inst.source_server_id]
        server.recovery_instance_id = inst.recovery_instance_id
        server.ec2_instance_id = inst.ec2_instance_id


def _learn_duration(ex: Execution, batch: Batch) -> None:
    # Polling aims at the expected end of a job; learn it from jobs that finished,
    # measured on the engine's clock so that it agrees with the clock polling uses.
    if batch.kind != "LAUNCH" or not batch.started_at or not batch.ended_at:
        return
    seconds = (batch.ended_at - batch.started_at).total_seconds()
    if seconds <= 0:
        return
    old = ex.expected_job_seconds
    ex.expected_job_seconds = seconds if old is None else EWMA * seconds + (1 - EWMA) * old


def _fold_terminate(
    ex: Execution,
    batch: Batch,
    job: DrsJob,
    view: ScopeView,
    index: ServerIndex,
    changes: Changes,
) -> None:
    batch.job_status = DrsJobStatus(job.status)
    if job.status != "COMPLETED":
        return
    batch.state = BatchState.DONE
    batch.ended_at = job.end_time or changes.now
    statuses = {s.source_server_id: s.launch_status for s in job.servers}
    for server_id in batch.source_server_ids:
        server = index[server_id]
        server.terminate_job_id = batch.job_id
        gone = _instance_gone(server, view, statuses.get(server_id))
        if gone and r.TERMINATED.allows(server.status):
            r.move_server(server, r.TERMINATED, changes.now)
    changes.note("job.completed", f"terminate job {batch.job_id} completed", job_id=batch.job_id)


def _instance_gone(server: ServerRun, view: ScopeView, launch_status: str | None) -> bool:
    if server.source_server_id in view.instances_checked:
        return server.recovery_instance_id not in view.instances
    return launch_status == "TERMINATED"


def _warn_stall(ex: Execution, batch: Batch, changes: Changes, config: EngineConfig) -> None:
    if batch.state != "ACTIVE" or batch.stall_warned or not batch.started_at:
        return
    if batch.job_status == "COMPLETED":
        return  # DRS finished the job; drorch is only waiting to read its results
    expected = ex.expected_job_seconds
    limit = config.stall_factor * expected if expected else config.stall_seconds
    age = (changes.now - batch.started_at).total_seconds()
    if age > limit:
        batch.stall_warned = True
        changes.note(
            "job.stalled",
            f"job {batch.job_id} has run {age:.0f}s, over the {limit:.0f}s expected at most; "
            "still waiting (cancel to give up)",
            wave=batch.wave,
            job_id=batch.job_id,
        )
