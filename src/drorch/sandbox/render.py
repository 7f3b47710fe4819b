"""State -> the JSON shapes of the DRS model (member names exactly as botocore's `drs`)."""

from __future__ import annotations

import json
from typing import Any

from drorch.sandbox.snapshots import Snapshot
from drorch.sandbox.state import Instance, Job, LogItem, ServerState
from drorch.sandbox.wire import arn, duration, hex_id, iso

GIB = 1024**3
REPLICATION_ERRORS = {"STALLED": "NOT_CONVERGING", "DISCONNECTED": "AGENT_NOT_SEEN"}


def source_server(server: ServerState, region: str, now: float) -> Rendered:
    """A `SourceServer` structure as JSON text; the parts that never change are made once."""
    static = server.static
    if static is None:
        static = server.static = _static(server, region)
    # Rendered afresh: lag and durations move with every second, and a kept rendering of
    # every server outlived the listing that made it (some 8 MB at 5,000 servers).
    return Rendered(_source_server(server, static, region, now))


class Rendered:
    """A response structure kept as its JSON text only, encoded once and re-sent."""

    __slots__ = ("json",)

    def __init__(self, value: dict[str, Any]) -> None:
        plain = {k: v for k, v in value.items() if not isinstance(v, Raw)}
        raw = [f"{json.dumps(k)}:{v.text}" for k, v in value.items() if isinstance(v, Raw)]
        text = _compact(plain)
        if raw:  # the encoded members go last: member order means nothing in JSON
            text = text[:-1] + ("," if plain else "") + ",".join(raw) + "}"
        self.json = text

    def value(self) -> dict[str, Any]:
        """The structure again, for callers in this process."""
        parsed: dict[str, Any] = json.loads(self.json)
        return parsed


class Raw:
    """A member already encoded as JSON text, spliced in as it is."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def encode(body: dict[str, Any]) -> str:
    """JSON text of a response, splicing in the text of Rendered items in top-level lists."""
    if not any(_rendered(v) for v in body.values()):
        return json.dumps(body, separators=(",", ":"))
    parts = []
    for key, value in body.items():
        if _rendered(value):
            text = "[" + ",".join(item.json for item in value) + "]"
        else:
            text = json.dumps(value, separators=(",", ":"))
        parts.append(f"{json.dumps(key)}:{text}")
    return "{" + ",".join(parts) + "}"


def structured(body: dict[str, Any]) -> dict[str, Any]:
    """The response with its Rendered items as plain structures (in-process callers)."""
    if not any(_rendered(v) for v in body.values()):
        return body
    return {k: [item.value() for item in v] if _rendered(v) else v for k, v in body.items()}


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _rendered(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and isinstance(value[0], Rendered)


def _static(server: ServerState, region: str) -> dict[str, Any]:
    spec = server.spec
    return {
        "arn": arn(region, spec.account, "source-server", spec.id),
        # As text: spliced into each rendering instead of kept as nested objects.
        "sourceProperties": _compact(_properties(server)),
        "added": iso(server.added_at),
        "firstByte": iso(server.added_at + 60),
    }


def _source_server(
    server: ServerState, static: dict[str, Any], region: str, now: float
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "sourceServerID": server.spec.id,
        "arn": static["arn"],
        "tags": dict(server.tags),
        "lastLaunchResult": server.last_launch_result,
        "dataReplicationInfo": _replication(server, region, now),
        "lifeCycle": _life_cycle(server, now),
        "sourceProperties": Raw(static["sourceProperties"]),
        "replicationDirection": "FAILOVER",
    }
    if server.recovery_instance_id:
        item["recoveryInstanceId"] = server.recovery_instance_id
    return item


def lag_seconds(server: ServerState, now: float) -> float:
    """Replication lag: fixed while replicating, growing once replication stopped."""
    if server.stalled_since is not None:
        return max(0.0, now - server.stalled_since)
    return server.spec.lag_seconds


def _replication(server: ServerState, region: str, now: float) -> dict[str, Any]:
    spec = server.spec
    disks = [
        {
            "deviceName": f"/dev/xvd{chr(ord('a') + i)}" if spec.os == "LINUX" else f"disk{i}",
            "totalStorageBytes": size * GIB,
            "replicatedStorageBytes": size * GIB,
            "rescannedStorageBytes": 0,
            "backloggedStorageBytes": 0,
        }
        for i, size in enumerate(spec.disks_gib)
    ]
    info: dict[str, Any] = {
        "lagDuration": duration(lag_seconds(server, now)),
        "dataReplicationState": spec.replication_state,
        "replicatedDisks": disks,
        "stagingAvailabilityZone": f"{region}a",
    }
    error = REPLICATION_ERRORS.get(spec.replication_state)
    if error:
        info["dataReplicationError"] = {"error": error, "rawError": "replication stopped"}
    return info


def _life_cycle(server: ServerState, now: float) -> dict[str, Any]:
    seen = server.stalled_since if server.stalled_since is not None else now
    static = server.static or {}
    cycle: dict[str, Any] = {
        "addedToServiceDateTime": static.get("added") or iso(server.added_at),
        "firstByteDateTime": static.get("firstByte") or iso(server.added_at + 60),
        "elapsedReplicationDuration": duration(max(0.0, now - server.added_at)),
        "lastSeenByServiceDateTime": iso(seen),
    }
    last = server.last_launch
    if last:
        cycle["lastLaunch"] = {
            "initiated": {
                "apiCallDateTime": iso(last.api_call_time),
                "jobID": last.job_id,
                "type": last.type,
            },
            "status": last.status,
        }
    return cycle


def _properties(server: ServerState) -> dict[str, Any]:
    spec = server.spec
    ip = f"10.{int(hex_id(2, spec.id, 'b'), 16)}.{int(hex_id(2, spec.id, 'c'), 16)}.10"
    return {
        "lastUpdatedDateTime": iso(server.added_at),
        "recommendedInstanceType": spec.instance_type,
        "identificationHints": {"hostname": spec.hostname, "fqdn": f"{spec.hostname}.corp.local"},
        "networkInterfaces": [
            {"macAddress": _mac(spec.id), "ips": [ip], "isPrimary": True},
        ],
        "disks": [
            {"deviceName": f"disk{i}", "bytes": size * GIB} for i, size in enumerate(spec.disks_gib)
        ],
        "cpus": [{"cores": spec.cpus, "modelName": "Intel(R) Xeon(R) Platinum"}],
        "ramBytes": spec.ram_gib * GIB,
        "os": {"fullString": spec.full_os_name},
        "supportsNitroInstances": True,
        "architecture": "x86_64",
    }


def _mac(seed: str) -> str:
    raw = hex_id(12, seed, "mac")
    return ":".join(raw[i : i + 2] for i in range(0, 12, 2))


def job(item: Job) -> dict[str, Any]:
    """A `Job` structure."""
    body: dict[str, Any] = {
        "jobID": item.id,
        "arn": arn(item.region, item.account, "job", item.id),
        "type": item.type,
        "initiatedBy": item.initiated_by,
        "creationDateTime": iso(item.created),
        "status": item.status,
        "participatingServers": [_participant(p) for p in item.participants.values()],
        "tags": dict(item.tags),
    }
    if item.ended is not None:
        body["endDateTime"] = iso(item.ended)
    return body


def _participant(part: Any) -> dict[str, Any]:
    body = {"sourceServerID": part.server_id, "launchStatus": part.launch_status}
    if part.recovery_instance_id:
        body["recoveryInstanceID"] = part.recovery_instance_id
    return body


def log_item(item: LogItem) -> dict[str, Any]:
    """A `JobLog` structure."""
    body: dict[str, Any] = {"logDateTime": iso(item.at), "event": item.event}
    if item.data:
        body["eventData"] = dict(item.data)
    return body


def recovery_instance(
    inst: Instance, server: ServerState | None, region: str, account: str
) -> dict[str, Any]:
    """A `RecoveryInstance` structure."""
    body: dict[str, Any] = {
        "ec2InstanceID": inst.ec2_instance_id or inst.id,
        "ec2InstanceState": inst.ec2_state,
        "jobID": inst.job_id,
        "recoveryInstanceID": inst.id,
        "sourceServerID": inst.server_id,
        "arn": arn(region, account, "recovery-instance", inst.id),
        "tags": dict(inst.tags),
        "failback": {"state": "FAILBACK_NOT_STARTED"},
        "dataReplicationInfo": {"dataReplicationState": "NOT_STARTED"},
        "pointInTimeSnapshotDateTime": iso(inst.snapshot_time),
        "isDrill": inst.is_drill,
        "originEnvironment": "ON_PREMISES",
    }
    if server is not None:
        body["recoveryInstanceProperties"] = {
            "lastUpdatedDateTime": iso(inst.launched_at),
            "identificationHints": {"hostname": server.spec.hostname},
            "os": {"fullString": server.spec.full_os_name},
            "ramBytes": server.spec.ram_gib * GIB,
        }
    return body


def snapshot(snap: Snapshot) -> dict[str, Any]:
    """A `RecoverySnapshot` structure."""
    return {
        "snapshotID": snap.id,
        "sourceServerID": snap.server_id,
        "expectedTimestamp": iso(snap.at),
        "timestamp": iso(snap.at + 7),
        "ebsSnapshots": list(snap.ebs),
    }


def launch_configuration(server: ServerState) -> dict[str, Any]:
    """A `LaunchConfiguration` structure."""
    return {"sourceServerID": server.spec.id, **server.launch_config}
