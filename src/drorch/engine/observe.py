"""Observe: read what changed in DRS for one execution, at most one DescribeJobs per scope.

A scope with work to start (or intents to reconcile) is listed by date, which shows every
job in the account and Region (capacity, jobs drorch did not start, tags to match intents);
otherwise only the execution's active job ids are asked for. Follow-up reads (recovery
instances, job log items) happen only for jobs whose servers have finished or just failed;
a read that fails is noted in the view, so the batch stays open and is read again later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from drorch.domain.executions import Batch, Execution, Intent, scope_key
from drorch.engine.config import EngineConfig
from drorch.engine.polling import pending_scopes
from drorch.engine.working import ServerIndex, per_snapshot
from drorch.errors import DrsError, SessionError
from drorch.ports.drs import (
    DrsClient,
    DrsGateway,
    DrsJob,
    JobLogItem,
    JobServer,
    RecoveryInstance,
    Scope,
)


@dataclass(frozen=True)
class DrsFault:
    """A DRS error seen while observing or acting, kept as data for the pure steps."""

    operation: str
    code: str
    message: str
    retry_after: float | None = None
    retryable: bool = True


@dataclass
class ScopeView:
    """What one account and Region showed in this advance."""

    jobs: dict[str, DrsJob] = field(default_factory=dict)
    listed: bool = False
    instances: dict[str, RecoveryInstance] = field(default_factory=dict)
    instances_checked: set[str] = field(default_factory=set)
    log_items: dict[str, list[JobLogItem]] = field(default_factory=dict)
    logs_unread: set[str] = field(default_factory=set)
    faults: list[DrsFault] = field(default_factory=list)


@dataclass
class Observation:
    """Everything observe() learned; apply() folds it in without further I/O."""

    now: datetime
    scopes: dict[str, ScopeView] = field(default_factory=dict)

    def view(self, key: str) -> ScopeView:
        """The view of a scope (empty when it was not read)."""
        return self.scopes.setdefault(key, ScopeView())


STS_THROTTLED = {"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequests"}
RETRYABLE = {"ThrottlingException", "ConflictException", "ServiceQuotaExceededException"}


def fault(operation: str, exc: DrsError) -> DrsFault:
    """A DRS error as data; unknown and server-side errors count as retryable.

    No session for the account (its role refused, unregistered, no hub credentials) is a
    refusal of that account only: its servers fail with the reason, the others go on.
    """
    permanent = exc.code in {"ValidationException", "ResourceNotFoundException"} or (
        isinstance(exc, SessionError) and exc.code not in STS_THROTTLED
    )
    return DrsFault(
        operation, exc.code or type(exc).__name__, exc.detail, exc.retry_after, not permanent
    )


def observe(
    ex: Execution,
    intents: list[Intent],
    drs: DrsGateway,
    now: datetime,
    config: EngineConfig,
    due: frozenset[str] | None = None,
) -> Observation:
    """Read DRS for every scope the execution touches; errors become faults, never raise.

    `due`: the batch ids whose jobs to read by id (engine/looks.py); None reads them all.
    A scope with nothing due and nothing to list is not called at all.
    """
    obs = Observation(now=now)
    pending = pending_scopes(ex)
    for key, scope in _scopes(ex).items():
        mine = [b for b in ex.open_batches() if scope_key(b.account_id, b.region) == key]
        listing = _wants_listing(ex, intents, key, pending)
        wanted = [b.job_id for b in mine if b.job_id and (due is None or b.batch_id in due)]
        if not (listing or wanted):
            continue
        view = obs.view(key)
        try:
            _observe_scope(ex, drs.client(scope), mine, wanted, listing, view, now, config)
        except DrsError as exc:
            view.faults.append(fault("DescribeJobs", exc))
    return obs


def _scopes(ex: Execution) -> dict[str, Scope]:
    """The execution's account/Region pairs (from the frozen snapshot: computed once)."""
    return per_snapshot(ex.snapshot, "scopes", lambda: _snapshot_scopes(ex))


def _snapshot_scopes(ex: Execution) -> dict[str, Scope]:
    found: dict[str, Scope] = {}
    for s in ex.snapshot.servers:
        found.setdefault(scope_key(s.account_id, s.region), Scope(s.account_id, s.region))
    return found


def _observe_scope(
    ex: Execution,
    client: DrsClient,
    mine: list[Batch],
    wanted: list[str],
    listing: bool,
    view: ScopeView,
    now: datetime,
    config: EngineConfig,
) -> None:
    if listing:
        _list(client, view, now, config)
        wanted = [i for i in wanted if i not in view.jobs]
    if wanted:
        view.jobs.update({j.job_id: j for j in client.describe_jobs(job_ids=wanted)})
    _follow_up(client, mine, view, ex)


def _list(client: DrsClient, view: ScopeView, now: datetime, config: EngineConfig) -> None:
    """Every job of the scope created within the window: capacity, foreign jobs, tags."""
    since = now - timedelta(seconds=config.job_list_window)
    view.jobs.update({j.job_id: j for j in client.describe_jobs(from_date=since)})
    view.listed = True


def list_more(
    ex: Execution, keys: set[str], obs: Observation, drs: DrsGateway, config: EngineConfig
) -> list[tuple[str, DrsFault]]:
    """List scopes not listed yet that now have jobs to start (e.g. a wave just began)."""
    scopes, faults = _scopes(ex), []
    for key in sorted(keys):
        view = obs.view(key)
        retry = ex.retries.get(key)
        backing_off = retry is not None and retry.not_before and retry.not_before > obs.now
        if view.listed or view.faults or key not in scopes or backing_off:
            continue
        try:
            _list(drs.client(scopes[key]), view, obs.now, config)
        except DrsError as exc:
            view.faults.append(fault("DescribeJobs", exc))
            faults.append((key, view.faults[-1]))
    return faults


def _wants_listing(ex: Execution, intents: list[Intent], key: str, pending: set[str]) -> bool:
    """List only when reconciling or when a running wave has servers to start here."""
    if any(i.state == "OPEN" and scope_key(i.account_id, i.region) == key for i in intents):
        return True
    return key in pending or ex.cleanup_status == "IN_PROGRESS"


def _follow_up(client: DrsClient, mine: list[Batch], view: ScopeView, ex: Execution) -> None:
    """Instance reads for jobs whose servers finished; log reads for jobs with new failures."""
    index = ServerIndex(ex)  # read-only: only the servers of these jobs are looked at
    servers = sorted({s for b in mine for s in _instances_wanted(b, view, index)})
    if servers:
        try:
            found = client.describe_recovery_instances(source_server_ids=servers)
            view.instances = {r.recovery_instance_id: r for r in found}
            view.instances_checked = set(servers)
        except DrsError as exc:
            view.faults.append(fault("DescribeRecoveryInstances", exc))
    for batch in mine:
        job = view.jobs.get(batch.job_id or "")
        if job is None or batch.kind != "LAUNCH" or not _may_have_failed(job):
            continue
        if any(_newly_failed(s, index, job.status) for s in job.servers):
            try:
                view.log_items[job.job_id] = client.describe_job_log_items(job.job_id)
            except DrsError as exc:
                view.logs_unread.add(job.job_id)
                view.faults.append(fault("DescribeJobLogItems", exc))


def _instances_wanted(batch: Batch, view: ScopeView, index: ServerIndex) -> list[str]:
    """Servers whose recovery instance this batch still needs to read (EC2 id unknown)."""
    job = view.jobs.get(batch.job_id or "")
    if job is None:
        return []
    if batch.kind != "LAUNCH":
        return list(batch.source_server_ids) if job.status == "COMPLETED" else []
    finished = job.status == "COMPLETED" or _statuses(job) <= FINISHED
    if not finished:
        return []
    # Read as soon as every server has finished (the job ends a little later), and again
    # on every pass until each launched server's EC2 instance is known.
    return [
        p.source_server_id
        for p in job.servers
        if p.launch_status == "LAUNCHED" and not _ec2_known(index, p.source_server_id)
    ]


FINISHED = frozenset({"LAUNCHED", "FAILED"})


def _statuses(job: DrsJob) -> frozenset[str]:
    """The launch statuses a job's servers show (one set: cheaper than a test per server)."""
    # A job read as before is the same object with the same servers (adapters/aws/drs.py):
    # its set is made once. The entry holds the tuple, so its id is not reused meanwhile.
    found = _STATUSES.get(id(job.servers))
    if found is not None and found[0] is job.servers:
        return found[1]
    statuses = frozenset(p.launch_status for p in job.servers)
    if len(_STATUSES) >= 1024:
        _STATUSES.clear()
    _STATUSES[id(job.servers)] = (job.servers, statuses)
    return statuses


_STATUSES: dict[int, tuple[tuple[JobServer, ...], frozenset[str]]] = {}


def _may_have_failed(job: DrsJob) -> bool:
    """False when no server of the job can be newly failed: none FAILED, none stuck."""
    statuses = _statuses(job)
    return "FAILED" in statuses or (job.status == "COMPLETED" and bool(statuses - {"LAUNCHED"}))


def _ec2_known(index: ServerIndex, server_id: str) -> bool:
    server = index.peek(server_id)
    return server is not None and bool(server.ec2_instance_id)


def _newly_failed(server: JobServer, index: ServerIndex, job_status: str) -> bool:
    # What DRS says first: most servers of most jobs are neither failed nor stuck.
    if server.launch_status != "FAILED" and (
        job_status != "COMPLETED" or server.launch_status == "LAUNCHED"
    ):
        return False
    ours = index.peek(server.source_server_id)
    return ours is not None and ours.status == "LAUNCHING"
