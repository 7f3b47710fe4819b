"""The DRS port: what drorch needs from Elastic Disaster Recovery, in its own types.

Status strings are exactly the DRS API's (botocore `drs` model):
job status PENDING | STARTED | COMPLETED; server launchStatus
PENDING | IN_PROGRESS | LAUNCHED | FAILED | TERMINATED.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from drorch.domain.inventory import SourceServer


@dataclass(frozen=True)
class Scope:
    """One account and Region: the unit DRS quotas apply to."""

    account_id: str
    region: str


@dataclass(frozen=True)
class JobServer:
    """A source server taking part in a DRS job."""

    source_server_id: str
    launch_status: str = "PENDING"
    recovery_instance_id: str | None = None


@dataclass(frozen=True)
class DrsJob:
    """A DRS job (LAUNCH or TERMINATE) as DescribeJobs reports it."""

    job_id: str
    type: str
    initiated_by: str
    status: str
    tags: dict[str, str] = field(default_factory=dict)
    creation_time: datetime | None = None
    end_time: datetime | None = None
    servers: tuple[JobServer, ...] = ()


@dataclass(frozen=True)
class JobLogItem:
    """One entry of a job's log (event names as in the DRS model)."""

    event: str
    event_time: datetime | None = None
    source_server_id: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class RecoveryInstance:
    """An EC2 instance DRS launched for a source server."""

    recovery_instance_id: str
    source_server_id: str
    ec2_instance_id: str | None
    is_drill: bool
    job_id: str | None = None
    state: str | None = None


class DrsClient(Protocol):
    """DRS in one account and Region. Errors are raised as `drorch.errors.Drs*Error`."""

    scope: Scope

    def describe_source_servers(
        self, *, source_server_ids: Sequence[str] | None = None
    ) -> list[SourceServer]: ...

    def start_recovery(
        self, *, source_server_ids: Sequence[str], is_drill: bool, tags: dict[str, str]
    ) -> DrsJob: ...

    def describe_jobs(
        self,
        *,
        job_ids: Sequence[str] | None = None,
        from_date: datetime | None = None,
        to_date: datetime | None = None,
    ) -> list[DrsJob]: ...

    def describe_job_log_items(self, job_id: str) -> list[JobLogItem]: ...

    def describe_recovery_instances(
        self, *, source_server_ids: Sequence[str] | None = None
    ) -> list[RecoveryInstance]: ...

    def terminate_recovery_instances(self, recovery_instance_ids: Sequence[str]) -> DrsJob: ...

    def get_launch_configuration(self, source_server_id: str) -> dict[str, Any]:
        """The server's launch configuration (DRS member names, e.g. `copyPrivateIp`)."""
        ...

    def update_launch_configuration(
        self, source_server_id: str, changes: dict[str, Any]
    ) -> dict[str, Any]:
        """Change the given members of the server's launch configuration; the new one."""
        ...


class DrsGateway(Protocol):
    """Hands out a DrsClient per account and Region, and knows which scopes to manage."""

    def client(self, scope: Scope) -> DrsClient: ...

    def scopes(self) -> list[Scope]: ...

    def ping(self) -> None: ...
