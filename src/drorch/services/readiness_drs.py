"""Readiness checks that ask DRS or the target accounts: replication, quota headroom, roles."""

from __future__ import annotations

import math
from collections import Counter
from datetime import timedelta

from drorch.domain.executions import SnapshotServer
from drorch.domain.inventory import HEALTHY_REPLICATION, SourceServer
from drorch.domain.readiness import Finding, Severity, SubjectKind
from drorch.engine import quotas
from drorch.engine.retrying import Tries, retry_throttled
from drorch.errors import DrsError, DrsThrottlingError
from drorch.ports.drs import DrsJob, Scope
from drorch.ports.store import UnitOfWork
from drorch.services.accounts import access_of
from drorch.services.readiness_checks import Context, finding

JOB_LOOKBACK = timedelta(days=7)


def scopes_of(servers: list[SnapshotServer]) -> list[Scope]:
    """The accounts and Regions the servers live in, sorted."""
    return [Scope(a, r) for a, r in sorted({(s.account_id, s.region) for s in servers})]


def check_replication(ctx: Context, uow: UnitOfWork) -> list[Finding]:
    """Every server replicates continuously with a lag under the threshold.

    Read from DRS (DescribeSourceServers, through the account's session) when DRS is
    reachable; otherwise, and on save, from the inventory the last sync stored.
    """
    fresh, found = _fresh_servers(ctx)
    for server in ctx.snap.servers:
        known = fresh.get(server.source_server_id) or ctx.inventory.get(server.source_server_id)
        found += _replication_findings(ctx, server, known)
    return found


def _fresh_servers(ctx: Context) -> tuple[dict[str, SourceServer], list[Finding]]:
    """What DRS says of the plan's servers now, and a note for each scope it could not read."""
    fresh: dict[str, SourceServer] = {}
    notes: list[Finding] = []
    if ctx.drs is None:
        return fresh, notes
    for scope in scopes_of(ctx.snap.servers):
        where = f"{scope.account_id}/{scope.region}"
        wanted = [
            s.source_server_id
            for s in ctx.snap.servers
            if (s.account_id, s.region) == (scope.account_id, scope.region)
        ]
        try:
            client = ctx.drs.client(scope)
            fresh |= {s.id: s for s in client.describe_source_servers(source_server_ids=wanted)}
        except DrsError as exc:
            # The quota check reports the same outage as an error; here the inventory stands in.
            notes.append(
                finding(
                    "replication",
                    "replication-read-failed",
                    Severity.INFO,
                    (SubjectKind.REGION, where),
                    f"DescribeSourceServers failed in {where} ({exc.detail}); "
                    "replication judged from the last inventory sync",
                    scope=where,
                )
            )
    return fresh, notes


def _replication_findings(
    ctx: Context, server: SnapshotServer, known: SourceServer | None
) -> list[Finding]:
    sid = server.source_server_id
    subject = (SubjectKind.SERVER, sid)
    state = known.replication_state if known else server.replication_state
    if state not in HEALTHY_REPLICATION:
        message = f"{sid} replication is {state}"
        return [
            finding(
                "replication",
                "replication-unhealthy",
                Severity.ERROR,
                subject,
                message,
                source_server_id=sid,
                replication_state=state,
            )
        ]
    lag = known.lag_seconds if known else None
    if lag is not None and lag > ctx.policy.lag_seconds:
        limit = ctx.policy.lag_seconds
        return [
            finding(
                "replication",
                "replication-lag",
                Severity.ERROR,
                subject,
                f"{sid} replication lags {lag:.0f} s behind (threshold {limit:.0f} s)",
                source_server_id=sid,
                lag_seconds=lag,
            )
        ]
    return []


def check_quota(ctx: Context, uow: UnitOfWork) -> list[Finding]:
    """Each account and Region has room now for the plan's largest wave there.

    No job slot or server room at all blocks a drill (a RECOVERY starts anyway: it gets
    capacity before drills, so for it the finding is a warning). Room for part of the
    largest wave is a warning: the wave will run in several rounds.
    """
    if ctx.drs is None:
        return [
            finding(
                "quota",
                "drs-not-configured",
                Severity.ERROR,
                (SubjectKind.PLAN, ctx.plan.id),
                "no DRS endpoint is configured",
            )
        ]
    found: list[Finding] = []
    largest = _largest_waves(ctx.snap.servers)
    for scope in scopes_of(ctx.snap.servers):
        found += _scope_quota(ctx, uow, scope, largest[(scope.account_id, scope.region)])
    return found


def _largest_waves(servers: list[SnapshotServer]) -> dict[tuple[str, str], tuple[str, int]]:
    """Per account and Region, the wave with the most servers there and its count."""
    counts = Counter((s.account_id, s.region, s.wave) for s in servers)
    largest: dict[tuple[str, str], tuple[str, int]] = {}
    for (account, region, wave), n in counts.items():
        if n > largest.get((account, region), ("", 0))[1]:
            largest[(account, region)] = (wave, n)
    return largest


def _scope_quota(
    ctx: Context, uow: UnitOfWork, scope: Scope, wave: tuple[str, int]
) -> list[Finding]:
    where = f"{scope.account_id}/{scope.region}"
    subject = (SubjectKind.REGION, where)
    tries = Tries()
    try:
        jobs = _jobs(ctx, scope, tries)
    except DrsThrottlingError:
        return [_throttled(where, tries)]
    except DrsError as exc:
        return [finding("quota", "drs-error", Severity.ERROR, subject, exc.detail, scope=where)]
    limits = ctx.policy.limits
    use = quotas.usage(jobs, uow.executions.open_intents(scope.account_id, scope.region))
    full = f"{where}: {use.jobs} active jobs, {use.servers} servers in them"
    if not quotas.fit(["-"], use, limits):
        if ctx.drill:
            return [
                finding("quota", "no-quota-headroom", Severity.ERROR, subject, full, scope=where)
            ]
        wait = f"{full} (the recovery waits for capacity, ahead of drills)"
        return [finding("quota", "no-quota-headroom", Severity.WARNING, subject, wait, scope=where)]
    return _short_of_wave(where, use, limits, wave)


def _short_of_wave(
    where: str, use: quotas.Usage, limits: quotas.Limits, wave: tuple[str, int]
) -> list[Finding]:
    """A warning when the largest wave cannot start all its jobs at once now."""
    name, servers = wave
    jobs = len(quotas.chunks(["-"] * servers, limits.servers_per_job))
    free_jobs = limits.concurrent_jobs - use.jobs
    free_servers = limits.servers_in_active_jobs - use.servers
    if jobs <= free_jobs and servers <= free_servers:
        return []
    message = (
        f"{where}: wave {name!r} needs {jobs} job(s) for {servers} server(s); "
        f"room now for {free_jobs} job(s) and {free_servers} server(s), so it runs in rounds"
    )
    return [
        finding(
            "quota",
            "quota-headroom-short",
            Severity.WARNING,
            (SubjectKind.REGION, where),
            message,
            scope=where,
            wave=name,
        )
    ]


def _jobs(ctx: Context, scope: Scope, tries: Tries) -> list[DrsJob]:
    """Jobs of the scope created in the last week, waiting out throttling within the policy."""
    assert ctx.drs is not None
    client = ctx.drs.client(scope)
    since = ctx.clock.now() - JOB_LOOKBACK
    return retry_throttled(
        lambda: client.describe_jobs(from_date=since),
        clock=ctx.clock,
        policy=ctx.policy.retry,
        rng=ctx.rng,
        tries=tries,
    )


def _throttled(where: str, tries: Tries) -> Finding:
    """The finding for a scope whose DescribeJobs DRS kept throttling."""
    after = math.ceil(tries.retry_after) if tries.retry_after else None
    hint = f"try again in {after} s" if after else "try again shortly"
    message = (
        f"DRS throttled DescribeJobs in {where} "
        f"({tries.calls} tries over {tries.waited:.1f} s, ThrottlingException); {hint}"
    )
    extra = {"retry_after": after} if after else {}
    subject = (SubjectKind.REGION, where)
    return finding("quota", "drs-throttled", Severity.ERROR, subject, message, scope=where, **extra)


def check_accounts(ctx: Context, uow: UnitOfWork) -> list[Finding]:
    """Each registered account's role can be assumed and allows what the plan needs there.

    The same probe `drorch accounts verify` runs, with the account's own session. Accounts
    reached without a role (the hub's, a sandbox fleet's) are covered by the DRS reads of
    the other checks.
    """
    if ctx.probe is None:
        return []
    found: list[Finding] = []
    for scope in scopes_of(ctx.snap.servers):
        account = uow.accounts.get(scope.account_id)
        if account is None:
            continue
        check = ctx.probe.check(access_of(account), scope.region, purpose="readiness")
        if not check.ok:
            found.append(
                _account_finding(scope, check.failed_step, check.missing_permissions, check.detail)
            )
    return found


def _account_finding(scope: Scope, step: str | None, missing: list[str], detail: str) -> Finding:
    where = f"{scope.account_id}/{scope.region}"
    if step == "sts:AssumeRole" or not missing:
        code, what = "account-unreachable", f"failed at {step or 'a DRS call'}"
    else:
        code, what = "account-permissions", f"role lacks {', '.join(missing)}"
    return finding(
        "accounts",
        code,
        Severity.ERROR,
        (SubjectKind.ACCOUNT, scope.account_id),
        f"account {where}: {what}" + (f" ({detail})" if detail else ""),
        scope=where,
        failed_step=step,
        missing_permissions=missing,
    )
