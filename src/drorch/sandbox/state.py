"""The sandbox's mutable state: servers, jobs, recovery instances (plain dataclasses)."""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from drorch.sandbox.fleet import ServerSpec


@dataclass(slots=True)  # tens of thousands in a large drill: no per-object dict
class LastLaunch:
    """`lifeCycle.lastLaunch` of a source server."""

    job_id: str
    api_call_time: float
    type: str
    status: str


@dataclass
class ServerState:
    """A source server: its fleet entry plus what launches and tagging changed."""

    spec: ServerSpec
    tags: dict[str, str]
    added_at: float
    launch_config: dict[str, Any]
    stalled_since: float | None = None
    last_launch_result: str = "NOT_STARTED"
    last_launch: LastLaunch | None = None
    recovery_instance_id: str | None = None
    # Parts of the DescribeSourceServers item that never change (filled on first render).
    static: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for the state file."""
        skip = ("spec", "last_launch", "static")
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in skip}
        data = copy.deepcopy(data)
        data["spec"] = self.spec.model_dump()
        data["last_launch"] = asdict(self.last_launch) if self.last_launch else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ServerState:
        """Inverse of `to_dict`."""
        last = data.pop("last_launch")
        spec = ServerSpec.model_validate(data.pop("spec"))
        return cls(spec=spec, last_launch=LastLaunch(**last) if last else None, **data)


@dataclass(slots=True)  # tens of thousands in a large drill: no per-object dict
class Participant:
    """A source server taking part in a job."""

    server_id: str
    launch_status: str = "PENDING"
    recovery_instance_id: str | None = None


@dataclass(slots=True)  # tens of thousands in a large drill: no per-object dict
class LogItem:
    """One job log entry (event names of the DRS model's JobLogEvent enum)."""

    at: float
    event: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)  # tens of thousands in a large drill: no per-object dict
class Step:
    """A scheduled change of a job; `kind` is a log event or an internal step."""

    at: float
    kind: str
    server_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Job:
    """A DRS job with its remaining schedule."""

    id: str
    account: str
    region: str
    type: str
    initiated_by: str
    created: float
    participants: dict[str, Participant]
    tags: dict[str, str] = field(default_factory=dict)
    status: str = "PENDING"
    ended: float | None = None
    log: list[LogItem] = field(default_factory=list)
    pending: list[Step] = field(default_factory=list)
    stalled_at: float | None = None

    @property
    def active(self) -> bool:
        """True until the job completes."""
        return self.status != "COMPLETED"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for the state file."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Job:
        """Inverse of `to_dict`."""
        data = dict(data)
        data["participants"] = {k: Participant(**v) for k, v in data["participants"].items()}
        data["log"] = [LogItem(**item) for item in data["log"]]
        data["pending"] = [Step(**step) for step in data["pending"]]
        return cls(**data)


@dataclass(slots=True)  # tens of thousands in a large drill: no per-object dict
class Instance:
    """A recovery instance (its id doubles as the EC2 instance id, as in DRS)."""

    id: str
    server_id: str
    job_id: str
    is_drill: bool
    launched_at: float
    snapshot_time: float
    ec2_state: str = "PENDING"
    tags: dict[str, str] = field(default_factory=dict)
    # The instance moto runs when the fleet has EC2; otherwise `id` doubles as the EC2 id.
    ec2_instance_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for the state file."""
        return asdict(self)


@dataclass
class ScopeState:
    """Everything in one account and Region."""

    account: str
    region: str
    servers: dict[str, ServerState] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)
    instances: dict[str, Instance] = field(default_factory=dict)
    # The scope's EC2 (sandbox/ec2.py ScopeEc2) when the fleet has one; never saved.
    ec2: Any = field(default=None, repr=False, compare=False)

    def active_jobs(self) -> list[Job]:
        """Jobs not yet completed."""
        return [job for job in self.jobs.values() if job.active]

    def busy_servers(self) -> set[str]:
        """Source servers taking part in an active job."""
        return {sid for job in self.active_jobs() for sid in job.participants}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for the state file."""
        return {
            "account": self.account,
            "region": self.region,
            "servers": [s.to_dict() for s in self.servers.values()],
            "jobs": [j.to_dict() for j in self.jobs.values()],
            "instances": [i.to_dict() for i in self.instances.values()],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScopeState:
        """Inverse of `to_dict`."""
        servers = [ServerState.from_dict(dict(s)) for s in data["servers"]]
        jobs = [Job.from_dict(j) for j in data["jobs"]]
        instances = [Instance(**i) for i in data["instances"]]
        return cls(
            account=data["account"],
            region=data["region"],
            servers={s.spec.id: s for s in servers},
            jobs={j.id: j for j in jobs},
            instances={i.id: i for i in instances},
        )
