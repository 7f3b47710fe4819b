"""The DRS operations the sandbox implements: request members in, response members out."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from drorch.sandbox import render
from drorch.sandbox.errors import Conflict, NotFound, Validation
from drorch.sandbox.jobs import start_recovery, terminate_recovery_instances
from drorch.sandbox.pagination import page
from drorch.sandbox.snapshots import snapshots
from drorch.sandbox.state import ScopeState, ServerState
from drorch.sandbox.wire import parse_arn, parse_iso

if TYPE_CHECKING:
    from drorch.sandbox.core import Sandbox

Handler = Callable[["Sandbox", ScopeState, dict[str, Any]], dict[str, Any]]
MUTATING = frozenset(
    {
        "StartRecovery",
        "TerminateRecoveryInstances",
        "UpdateLaunchConfiguration",
        "TagResource",
        "UntagResource",
    }
)


def _salt(operation: str, params: dict[str, Any]) -> str:
    # Binds a nextToken to the request it came from, so a token cannot be replayed elsewhere.
    rest = {k: v for k, v in params.items() if k not in ("nextToken", "maxResults")}
    text = json.dumps([operation, rest], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _server(scope: ScopeState, server_id: str) -> ServerState:
    server = scope.servers.get(server_id)
    if server is None:
        raise NotFound(
            f"source server {server_id} does not exist in account {scope.account} {scope.region}",
            resource_id=server_id,
            resource_type="SOURCE_SERVER",
        )
    return server


def describe_source_servers(sb: Sandbox, scope: ScopeState, p: dict[str, Any]) -> dict[str, Any]:
    """DescribeSourceServers with its filters and pagination."""
    filters = p.get("filters") or {}
    wanted = set(filters.get("sourceServerIDs") or [])
    if wanted:
        servers = [s for sid, s in scope.servers.items() if sid in wanted]
    else:
        servers = list(scope.servers.values())
    if filters.get("hardwareId") or filters.get("stagingAccountIDs"):
        servers = []  # sandbox servers have no hardware ids and no staging accounts
    chunk, token = page(servers, p, _salt("DescribeSourceServers", p))
    now = sb.clock.now()
    return _paged([render.source_server(s, scope.region, now) for s in chunk], token)


def describe_jobs(sb: Sandbox, scope: ScopeState, p: dict[str, Any]) -> dict[str, Any]:
    """DescribeJobs with jobIDs/fromDate/toDate filters and pagination."""
    filters = p.get("filters") or {}
    wanted = set(filters.get("jobIDs") or [])
    low = _date(filters, "fromDate")
    high = _date(filters, "toDate")
    jobs = [
        job
        for job in sorted(scope.jobs.values(), key=lambda j: (j.created, j.id))
        if (not wanted or job.id in wanted)
        and (low is None or job.created >= low)
        and (high is None or job.created <= high)
    ]
    chunk, token = page(jobs, p, _salt("DescribeJobs", p))
    return _paged([render.job(j) for j in chunk], token)


def _date(filters: dict[str, Any], name: str) -> float | None:
    text = filters.get(name)
    if not text:
        return None
    try:
        return parse_iso(text)
    except ValueError as exc:
        raise Validation(
            f"{name} is not an ISO 8601 date-time",
            fields=[{"name": f"filters.{name}", "message": str(exc)}],
        ) from exc


def describe_job_log_items(sb: Sandbox, scope: ScopeState, p: dict[str, Any]) -> dict[str, Any]:
    """DescribeJobLogItems of one job, paginated."""
    job = scope.jobs.get(p["jobID"])
    if job is None:
        raise NotFound(
            f"job {p['jobID']} does not exist", resource_id=p["jobID"], resource_type="JOB"
        )
    chunk, token = page(job.log, p, _salt("DescribeJobLogItems", p))
    return _paged([render.log_item(item) for item in chunk], token)


def describe_recovery_instances(
    sb: Sandbox, scope: ScopeState, p: dict[str, Any]
) -> dict[str, Any]:
    """DescribeRecoveryInstances with its filters and pagination."""
    filters = p.get("filters") or {}
    ids = set(filters.get("recoveryInstanceIDs") or [])
    servers = set(filters.get("sourceServerIDs") or [])
    found = [
        inst
        for iid, inst in sorted(scope.instances.items())
        if (not ids or iid in ids) and (not servers or inst.server_id in servers)
    ]
    chunk, token = page(found, p, _salt("DescribeRecoveryInstances", p))
    items = [
        render.recovery_instance(i, scope.servers.get(i.server_id), scope.region, scope.account)
        for i in chunk
    ]
    return _paged(items, token)


def get_launch_configuration(sb: Sandbox, scope: ScopeState, p: dict[str, Any]) -> dict[str, Any]:
    """GetLaunchConfiguration of one server."""
    return render.launch_configuration(_with_template(scope, _server(scope, p["sourceServerID"])))


def _with_template(scope: ScopeState, server: ServerState) -> ServerState:
    # With EC2, the launch template is a real one in moto, made when first asked about.
    if scope.ec2 is not None:
        server.launch_config["ec2LaunchTemplateID"] = scope.ec2.template_for(server.spec)
    return server


def update_launch_configuration(
    sb: Sandbox, scope: ScopeState, p: dict[str, Any]
) -> dict[str, Any]:
    """UpdateLaunchConfiguration: change the given members, keep the rest."""
    server = _server(scope, p["sourceServerID"])
    if server.spec.id in scope.busy_servers():
        raise Conflict(
            f"source server {server.spec.id} is in an active job; update it when the job ends",
            resource_id=server.spec.id,
            resource_type="SOURCE_SERVER",
        )
    changes = {k: v for k, v in p.items() if k != "sourceServerID"}
    server.launch_config.update(changes)
    return render.launch_configuration(_with_template(scope, server))


def describe_recovery_snapshots(
    sb: Sandbox, scope: ScopeState, p: dict[str, Any]
) -> dict[str, Any]:
    """DescribeRecoverySnapshots of one server, filtered by time, ordered and paginated."""
    server = _server(scope, p["sourceServerID"])
    filters = p.get("filters") or {}
    low = _date(filters, "fromDateTime")
    high = _date(filters, "toDateTime")
    found = [
        snap
        for snap in snapshots(server, sb.clock.now(), sb.fleet.seed)
        if (low is None or snap.at >= low) and (high is None or snap.at <= high)
    ]
    if p.get("order") == "DESC":
        found.reverse()
    chunk, token = page(found, p, _salt("DescribeRecoverySnapshots", p))
    return _paged([render.snapshot(s) for s in chunk], token)


def _tags_of(scope: ScopeState, resource_arn: str) -> dict[str, str]:
    parsed = parse_arn(resource_arn)
    if parsed and parsed[0] == scope.region and parsed[1] == scope.account:
        kind, rid = parsed[2], parsed[3]
        if kind == "source-server" and rid in scope.servers:
            return scope.servers[rid].tags
        if kind == "job" and rid in scope.jobs:
            return scope.jobs[rid].tags
        if kind == "recovery-instance" and rid in scope.instances:
            return scope.instances[rid].tags
    raise NotFound(
        f"resource {resource_arn} does not exist in account {scope.account} {scope.region}",
        resource_id=resource_arn,
        resource_type="RESOURCE",
    )


def tag_resource(sb: Sandbox, scope: ScopeState, p: dict[str, Any]) -> dict[str, Any]:
    """TagResource: add or overwrite tags."""
    _tags_of(scope, p["resourceArn"]).update(p["tags"])
    return {}


def untag_resource(sb: Sandbox, scope: ScopeState, p: dict[str, Any]) -> dict[str, Any]:
    """UntagResource: remove the named tag keys."""
    tags = _tags_of(scope, p["resourceArn"])
    for key in p["tagKeys"]:
        tags.pop(key, None)
    return {}


def list_tags_for_resource(sb: Sandbox, scope: ScopeState, p: dict[str, Any]) -> dict[str, Any]:
    """ListTagsForResource."""
    return {"tags": dict(_tags_of(scope, p["resourceArn"]))}


def _paged(items: list[Any], token: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"items": items}
    if token:
        body["nextToken"] = token
    return body


HANDLERS: dict[str, Handler] = {
    "DescribeSourceServers": describe_source_servers,
    "StartRecovery": start_recovery,
    "DescribeJobs": describe_jobs,
    "DescribeJobLogItems": describe_job_log_items,
    "DescribeRecoveryInstances": describe_recovery_instances,
    "TerminateRecoveryInstances": terminate_recovery_instances,
    "GetLaunchConfiguration": get_launch_configuration,
    "UpdateLaunchConfiguration": update_launch_configuration,
    "DescribeRecoverySnapshots": describe_recovery_snapshots,
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsForResource": list_tags_for_resource,
}
