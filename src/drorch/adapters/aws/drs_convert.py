"""DRS response members -> drorch's port dataclasses and domain SourceServer."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from drorch.domain.inventory import SourceServer
from drorch.ports.drs import DrsJob, JobLogItem, JobServer, RecoveryInstance, Scope

DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?"
    r"(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)
LAUNCH_RESULTS = {"NOT_STARTED", "PENDING", "SUCCEEDED", "FAILED"}


def parse_time(value: Any) -> datetime | None:
    """A UTC datetime from DRS's ISO 8601 strings (or a datetime botocore already parsed)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_duration(value: Any) -> float | None:
    """Seconds of an ISO 8601 duration such as `PT1H2M3S` (None when absent or malformed)."""
    if not value:
        return None
    found = DURATION.match(str(value))
    if found is None:
        return None
    parts = {k: float(v) for k, v in found.groupdict().items() if v}
    return (
        parts.get("d", 0) * 86400 + parts.get("h", 0) * 3600 + parts.get("m", 0) * 60
    ) + parts.get("s", 0)


def to_server(item: dict[str, Any], scope: Scope) -> SourceServer:
    """A SourceServer from a DescribeSourceServers item."""
    info = item.get("dataReplicationInfo") or {}
    props = item.get("sourceProperties") or {}
    hints = props.get("identificationHints") or {}
    full_os = str((props.get("os") or {}).get("fullString", ""))
    result = item.get("lastLaunchResult", "NOT_STARTED")
    return SourceServer(
        id=item["sourceServerID"],
        account_id=scope.account_id,
        region=scope.region,
        hostname=hints.get("hostname") or hints.get("fqdn") or "",
        os="WINDOWS" if "windows" in full_os.lower() else "LINUX",
        tags=dict(item.get("tags") or {}),
        replication_state=info.get("dataReplicationState", "STOPPED"),
        lag_seconds=parse_duration(info.get("lagDuration")),
        last_launch_result=result if result in LAUNCH_RESULTS else "NOT_STARTED",
        recovery_instance_id=item.get("recoveryInstanceId"),
    )


# A pass converts every server of every job it reads, and most read as they did last time:
# the (immutable) JobServer of each (server, status, instance) is made once and shared.
_SERVERS: dict[tuple[str, str, str | None], JobServer] = {}
MAX_SERVERS = 10_000  # some 290 bytes each; a pass reads at most a few thousand


def job_server(sid: str, status: str, instance: str | None) -> JobServer:
    """The JobServer of these values (the same object every time)."""
    key = (sid, status, instance)
    found = _SERVERS.get(key)
    if found is None:
        if len(_SERVERS) >= MAX_SERVERS:
            _SERVERS.clear()  # bounded: finished launches are not asked for again
        found = _SERVERS[key] = JobServer(sid, status, instance)
    return found


def to_job(item: dict[str, Any]) -> DrsJob:
    """A DrsJob from a Job structure."""
    servers = tuple(
        [
            job_server(sid, p.get("launchStatus", "PENDING"), p.get("recoveryInstanceID"))
            for p in item.get("participatingServers") or []
            if (sid := p.get("sourceServerID"))
        ]
    )
    return DrsJob(
        job_id=item["jobID"],
        type=item.get("type", ""),
        initiated_by=item.get("initiatedBy", ""),
        status=item.get("status", "PENDING"),
        tags=dict(item.get("tags") or {}),
        creation_time=parse_time(item.get("creationDateTime")),
        end_time=parse_time(item.get("endDateTime")),
        servers=servers,
    )


def to_log_item(item: dict[str, Any]) -> JobLogItem:
    """A JobLogItem from a JobLog structure."""
    data = item.get("eventData") or {}
    detail = data.get("rawError") or data.get("targetInstanceID") or ""
    return JobLogItem(
        event=item.get("event", ""),
        event_time=parse_time(item.get("logDateTime")),
        source_server_id=data.get("sourceServerID"),
        detail=str(detail),
    )


def to_recovery_instance(item: dict[str, Any]) -> RecoveryInstance:
    """A RecoveryInstance from a RecoveryInstance structure."""
    return RecoveryInstance(
        recovery_instance_id=item["recoveryInstanceID"],
        source_server_id=item.get("sourceServerID", ""),
        ec2_instance_id=item.get("ec2InstanceID"),
        is_drill=bool(item.get("isDrill", False)),
        job_id=item.get("jobID"),
        state=item.get("ec2InstanceState"),
    )
