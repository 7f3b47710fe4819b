"""An in-memory DrsClient for unit tests of act/advance (integration tests use the sandbox)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from drorch.domain.executions import TAG_BATCH
from drorch.errors import DrsError
from drorch.ports.drs import DrsJob, JobLogItem, JobServer, RecoveryInstance, Scope
from drorch.ports.store import Store


@dataclass
class FakeDrs:
    """One scope; `errors[operation]` are raised by its next calls; `store` shows intents."""

    scope: Scope
    store: Store | None = None
    jobs: dict[str, DrsJob] = field(default_factory=dict)
    errors: dict[str, list[DrsError]] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    intent_seen: list[str] = field(default_factory=list)

    def client(self, scope: Scope) -> FakeDrs:
        return self

    def scopes(self) -> list[Scope]:
        return [self.scope]

    def ping(self) -> None:
        return None

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if self.errors.get(name):
            raise self.errors[name].pop(0)

    def describe_source_servers(
        self, *, source_server_ids: Sequence[str] | None = None
    ) -> list[Any]:
        return []

    def start_recovery(
        self, *, source_server_ids: Sequence[str], is_drill: bool, tags: dict[str, str]
    ) -> DrsJob:
        self._record_intent(tags[TAG_BATCH])
        self._call("StartRecovery")
        job_id = f"j-{len(self.jobs) + 1}"
        parts = tuple(JobServer(s) for s in source_server_ids)
        job = DrsJob(job_id, "LAUNCH", "START_DRILL", "PENDING", dict(tags), servers=parts)
        self.jobs[job_id] = job
        return job

    def _record_intent(self, batch_id: str) -> None:
        if self.store is None:
            return
        with self.store.read() as uow:
            rows = uow.executions.open_intents(self.scope.account_id, self.scope.region)
        if any(i.batch_id == batch_id and i.state == "OPEN" for i in rows):
            self.intent_seen.append(batch_id)

    def describe_jobs(
        self,
        *,
        job_ids: Sequence[str] | None = None,
        from_date: datetime | None = None,
        to_date: datetime | None = None,
    ) -> list[DrsJob]:
        self._call("DescribeJobs")
        return [j for j in self.jobs.values() if not job_ids or j.job_id in job_ids]

    def describe_job_log_items(self, job_id: str) -> list[JobLogItem]:
        self._call("DescribeJobLogItems")
        return []

    def describe_recovery_instances(
        self, *, source_server_ids: Sequence[str] | None = None
    ) -> list[RecoveryInstance]:
        self._call("DescribeRecoveryInstances")
        return []

    def terminate_recovery_instances(self, recovery_instance_ids: Sequence[str]) -> DrsJob:
        self._call("TerminateRecoveryInstances")
        raise NotImplementedError
