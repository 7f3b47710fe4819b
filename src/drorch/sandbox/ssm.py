"""SSM Automation in the sandbox: the calls moto lacks, for documents the demo registers.

An execution runs for its document's duration on the sandbox clock, then ends `Success`
(or `Failed` when the document is registered to fail); `StopAutomationExecution` cancels
it. A repeated ClientToken answers the first execution, as SSM does. State lives in memory
(it is not part of the sandbox's state file).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from drorch.sandbox.service_fault import ServiceFault

Scope = tuple[str, str]  # account, Region
FILTER_KEYS = {"TagKey", "ExecutionId", "DocumentNamePrefix", "ExecutionStatus"}


class SsmFault(ServiceFault):
    """An SSM error as the JSON protocol sends it."""


@dataclass(frozen=True)
class AutomationDocument:
    """A registered Automation document: how long it runs and whether it fails."""

    name: str
    seconds: float = 30.0
    fails: bool = False
    description: str = ""


@dataclass
class AutomationRun:
    """One automation execution."""

    id: str
    document: AutomationDocument
    parameters: dict[str, list[str]]
    token: str | None
    tags: dict[str, str]
    started: float
    stopped_at: float | None = None

    def status(self, now: float) -> str:
        """Where the run stands at `now` on the sandbox clock."""
        if self.stopped_at is not None:
            return "Cancelled"
        if now < self.started + self.document.seconds:
            return "InProgress"
        return "Failed" if self.document.fails else "Success"


@dataclass
class SsmAutomations:
    """The sandbox's Automation documents (shared by every account) and runs per scope."""

    now: Callable[[], float]
    documents: dict[str, AutomationDocument] = field(default_factory=dict)
    runs: dict[Scope, dict[str, AutomationRun]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def register(self, document: AutomationDocument) -> None:
        """Make a document runnable (the demo registers its runbooks' documents)."""
        with self.lock:
            self.documents[document.name] = document

    def start(self, scope: Scope, body: Mapping[str, Any]) -> dict[str, Any]:
        """StartAutomationExecution (a repeated ClientToken answers the first run)."""
        name = str(body.get("DocumentName", ""))
        token = body.get("ClientToken")
        with self.lock:
            document = self.documents.get(name)
            if document is None:
                raise SsmFault(
                    "InvalidAutomationExecutionParametersException"
                    if not name
                    else "AutomationDefinitionNotFoundException",
                    f"Automation document {name!r} is not registered in the sandbox",
                )
            runs = self.runs.setdefault(scope, {})
            for run in runs.values():
                if token and run.token == token:
                    return {"AutomationExecutionId": run.id}
            run = AutomationRun(
                id=str(uuid.uuid4()),
                document=document,
                parameters=dict(body.get("Parameters") or {}),
                token=str(token) if token else None,
                tags={t["Key"]: t.get("Value", "") for t in body.get("Tags") or []},
                started=self.now(),
            )
            runs[run.id] = run
        return {"AutomationExecutionId": run.id}

    def _run(self, scope: Scope, body: Mapping[str, Any]) -> AutomationRun:
        ident = str(body.get("AutomationExecutionId", ""))
        found = self.runs.get(scope, {}).get(ident)
        if found is None:
            raise SsmFault(
                "AutomationExecutionNotFoundException", f"Automation execution {ident} not found"
            )
        return found

    def get(self, scope: Scope, body: Mapping[str, Any]) -> dict[str, Any]:
        """GetAutomationExecution."""
        with self.lock:
            run = self._run(scope, body)
            return {"AutomationExecution": self._describe(run)}

    def stop(self, scope: Scope, body: Mapping[str, Any]) -> dict[str, Any]:
        """StopAutomationExecution: a run still in progress is cancelled."""
        with self.lock:
            run = self._run(scope, body)
            if run.status(self.now()) == "InProgress":
                run.stopped_at = self.now()
        return {}

    def describe(self, scope: Scope, body: Mapping[str, Any]) -> dict[str, Any]:
        """DescribeAutomationExecutions with the filters drorch uses."""
        filters = {f["Key"]: list(f.get("Values", [])) for f in body.get("Filters") or []}
        unknown = set(filters) - FILTER_KEYS
        if unknown:
            raise SsmFault("InvalidFilterKey", f"the sandbox does not filter by {sorted(unknown)}")
        with self.lock:
            runs = list(self.runs.get(scope, {}).values())
            found = [self._describe(r) for r in runs if self._matches(r, filters)]
        return {"AutomationExecutionMetadataList": found}

    def _matches(self, run: AutomationRun, filters: Mapping[str, list[str]]) -> bool:
        checks: dict[str, Callable[[str], bool]] = {
            "TagKey": lambda v: v in run.tags,
            "ExecutionId": lambda v: v == run.id,
            "DocumentNamePrefix": run.document.name.startswith,
            "ExecutionStatus": lambda v: v == run.status(self.now()),
        }
        return all(any(checks[key](v) for v in values) for key, values in filters.items())

    def document(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """DescribeDocument for a registered Automation document."""
        name = str(body.get("Name", ""))
        with self.lock:
            document = self.documents.get(name)
        if document is None:
            raise SsmFault("InvalidDocument", f"Document {name} does not exist in the sandbox")
        return {
            "Document": {
                "Name": name,
                "DocumentType": "Automation",
                "Status": "Active",
                "Description": document.description,
                "DocumentVersion": "1",
            }
        }

    def _describe(self, run: AutomationRun) -> dict[str, Any]:
        status = run.status(self.now())
        shown: dict[str, Any] = {
            "AutomationExecutionId": run.id,
            "DocumentName": run.document.name,
            "DocumentVersion": "1",
            "AutomationExecutionStatus": status,
            "ExecutionStartTime": run.started,
            "Parameters": run.parameters,
            "Outputs": {},
        }
        if status != "InProgress":
            shown["ExecutionEndTime"] = run.stopped_at or run.started + run.document.seconds
        if status == "Failed":
            shown["FailureMessage"] = f"{run.document.name} was registered to fail"
        return shown


OPERATIONS: dict[str, Callable[[SsmAutomations, Scope, Mapping[str, Any]], dict[str, Any]]] = {
    "StartAutomationExecution": SsmAutomations.start,
    "GetAutomationExecution": SsmAutomations.get,
    "StopAutomationExecution": SsmAutomations.stop,
    "DescribeAutomationExecutions": SsmAutomations.describe,
    "DescribeDocument": lambda ssm, _scope, body: ssm.document(body),
}
