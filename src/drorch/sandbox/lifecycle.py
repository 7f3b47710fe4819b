"""Applying a job's scheduled steps to the state, the way DRS moves its jobs along."""

from __future__ import annotations

from collections.abc import Callable

from drorch.sandbox.state import Instance, Job, LogItem, ScopeState, Step

# Steps that are not log events: their effect shows only in statuses.
INTERNAL_STEPS = frozenset({"LAUNCHED"})
# Members of the model's JobLogEventData that a step's data may carry into the log.
LOG_DATA = ("conversionServerID", "targetInstanceID", "rawError")
FAILURE_STEPS = frozenset(
    {"SNAPSHOT_FAIL", "USING_PREVIOUS_SNAPSHOT_FAILED", "CONVERSION_FAIL", "LAUNCH_FAILED"}
)


def settle(scope: ScopeState, now: float) -> bool:
    """Apply every step due by `now` in every active job; True when anything changed."""
    changed = False
    for job in scope.active_jobs():
        if job.stalled_at is not None:
            continue
        while job.pending and job.pending[0].at <= now:
            apply_step(scope, job, job.pending.pop(0))
            changed = True
    return changed


def stall(job: Job, now: float) -> None:
    """Freeze a job where it is."""
    if job.active and job.stalled_at is None:
        job.stalled_at = now


def unstall(job: Job, now: float) -> None:
    """Let a frozen job go on; its remaining steps move later by the time it stood still."""
    if job.stalled_at is None:
        return
    delay = max(0.0, now - job.stalled_at)
    for step in job.pending:
        step.at += delay
    job.stalled_at = None


def apply_step(scope: ScopeState, job: Job, step: Step) -> None:
    """Apply one step and log it (unless it is internal)."""
    if step.kind not in INTERNAL_STEPS:
        data = {key: step.data[key] for key in LOG_DATA if key in step.data}
        if step.server_id:
            data["sourceServerID"] = step.server_id
        job.log.append(LogItem(at=step.at, event=step.kind, data=data))
    handler = _HANDLERS.get(step.kind)
    if handler is None and step.kind in FAILURE_STEPS:
        handler = _failed
    if handler is not None:
        handler(scope, job, step)


def _set_status(scope: ScopeState, job: Job, server_id: str, status: str) -> None:
    job.participants[server_id].launch_status = status
    server = scope.servers.get(server_id)
    if server and server.last_launch and server.last_launch.job_id == job.id:
        server.last_launch.status = status


def _job_start(scope: ScopeState, job: Job, step: Step) -> None:
    job.status = "STARTED"


def _job_end(scope: ScopeState, job: Job, step: Step) -> None:
    job.status = "COMPLETED"
    job.ended = step.at


def _in_progress(scope: ScopeState, job: Job, step: Step) -> None:
    assert step.server_id
    _set_status(scope, job, step.server_id, "IN_PROGRESS")


def _launch_start(scope: ScopeState, job: Job, step: Step) -> None:
    assert step.server_id
    server = scope.servers[step.server_id]
    instance_id = step.data["targetInstanceID"]
    job.participants[step.server_id].recovery_instance_id = instance_id
    is_drill = job.initiated_by == "START_DRILL"
    copy_tags = bool(server.launch_config.get("copyTags", True))
    instance = Instance(
        id=instance_id,
        server_id=server.spec.id,
        job_id=job.id,
        is_drill=is_drill,
        launched_at=step.at,
        snapshot_time=step.data.get("snapshotTime", job.created),
        tags=dict(server.tags) if copy_tags else {},
    )
    scope.instances[instance_id] = instance
    if scope.ec2 is not None:
        _run_ec2(scope, job, step, instance)


def _run_ec2(scope: ScopeState, job: Job, step: Step, instance: Instance) -> None:
    """Run the EC2 instance from the launch template; a refusal fails the server's launch."""
    assert step.server_id
    server = scope.servers[step.server_id]
    previous = scope.instances.get(server.recovery_instance_id or "")
    if previous is not None and previous.ec2_instance_id:
        # DRS replaces a server's earlier recovery instance; its address is free again.
        scope.ec2.terminate(previous.ec2_instance_id)
        previous.ec2_instance_id = None
    try:
        instance.ec2_instance_id = scope.ec2.launch(server.spec, instance.tags)
    except Exception as exc:  # what EC2 refused (subnet, address, type) is the launch's failure
        reason = getattr(exc, "response", {}).get("Error", {}).get("Message") or str(exc)
        job.pending = [p for p in job.pending if p.server_id != step.server_id]
        data = {"sourceServerID": step.server_id, "rawError": f"EC2 RunInstances: {reason}"}
        job.log.append(LogItem(at=step.at, event="LAUNCH_FAILED", data=data))
        _failed(scope, job, step)


def _launched(scope: ScopeState, job: Job, step: Step) -> None:
    assert step.server_id
    server = scope.servers[step.server_id]
    instance_id = step.data["targetInstanceID"]
    previous = server.recovery_instance_id
    if previous and previous != instance_id:
        # A new launch replaces the server's earlier recovery instance.
        _end_ec2(scope, scope.instances.pop(previous, None))
    stopped = server.launch_config.get("launchDisposition") == "STOPPED"
    if instance_id in scope.instances:
        scope.instances[instance_id].ec2_state = "STOPPED" if stopped else "RUNNING"
        ec2_id = scope.instances[instance_id].ec2_instance_id
        if stopped and ec2_id and scope.ec2 is not None:
            scope.ec2.stop(ec2_id)
    server.recovery_instance_id = instance_id
    server.last_launch_result = "SUCCEEDED"
    _set_status(scope, job, step.server_id, "LAUNCHED")


def _failed(scope: ScopeState, job: Job, step: Step) -> None:
    assert step.server_id
    participant = job.participants[step.server_id]
    if participant.recovery_instance_id:
        _end_ec2(scope, scope.instances.pop(participant.recovery_instance_id, None))
        participant.recovery_instance_id = None
    scope.servers[step.server_id].last_launch_result = "FAILED"
    _set_status(scope, job, step.server_id, "FAILED")


def _cleanup_start(scope: ScopeState, job: Job, step: Step) -> None:
    assert step.server_id
    instance_id = job.participants[step.server_id].recovery_instance_id
    if instance_id and instance_id in scope.instances:
        scope.instances[instance_id].ec2_state = "SHUTTING-DOWN"
    job.participants[step.server_id].launch_status = "IN_PROGRESS"


def _cleanup_end(scope: ScopeState, job: Job, step: Step) -> None:
    assert step.server_id
    instance_id = job.participants[step.server_id].recovery_instance_id
    if instance_id:
        _end_ec2(scope, scope.instances.pop(instance_id, None))
    job.participants[step.server_id].launch_status = "TERMINATED"
    server = scope.servers.get(step.server_id)
    if server and server.recovery_instance_id == instance_id:
        server.recovery_instance_id = None
        if server.last_launch:
            server.last_launch.status = "TERMINATED"


def _cleanup_fail(scope: ScopeState, job: Job, step: Step) -> None:
    """The terminate did not happen: the recovery instance stays, running."""
    assert step.server_id
    instance_id = job.participants[step.server_id].recovery_instance_id
    if instance_id and instance_id in scope.instances:
        scope.instances[instance_id].ec2_state = "RUNNING"
    job.participants[step.server_id].launch_status = "FAILED"


def _end_ec2(scope: ScopeState, instance: Instance | None) -> None:
    """Terminate the EC2 instance behind a recovery instance that is gone."""
    if instance is not None and instance.ec2_instance_id and scope.ec2 is not None:
        scope.ec2.terminate(instance.ec2_instance_id)


_HANDLERS: dict[str, Callable[[ScopeState, Job, Step], None]] = {
    "JOB_START": _job_start,
    "JOB_END": _job_end,
    "SNAPSHOT_START": _in_progress,
    "USING_PREVIOUS_SNAPSHOT": _in_progress,
    "LAUNCH_START": _launch_start,
    "LAUNCHED": _launched,
    "CLEANUP_START": _cleanup_start,
    "CLEANUP_END": _cleanup_end,
    "CLEANUP_FAIL": _cleanup_fail,
}
