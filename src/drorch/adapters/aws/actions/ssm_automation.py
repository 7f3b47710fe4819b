"""`ssm_automation` over SSM Automation: the step's key is the execution's ClientToken.

SSM wants a UUID for the token, so it is derived from the key; the execution is also
tagged with the step's memo tag, and `reconcile` finds it by that tag (filter `TagKey`).
"""

from __future__ import annotations

import uuid
from typing import Any

from drorch.adapters.aws.actions.base import AwsExecutor, failed, memo_tag, running, succeeded
from drorch.domain.steps.ssm_automation import SsmAutomationParams
from drorch.ports.steps import StepCall, StepProgress

WAITING = {"Pending", "InProgress", "Waiting", "Cancelling", "RunbookInProgress", "Scheduled"}
TOKENS = uuid.UUID("5e7a1b2c-0d4f-4c8e-9a6b-3f2e1d0c9b8a")  # namespace of drorch's tokens
ENDPOINT = "ssm_automation"  # its own endpoint override: offline, the sandbox answers these


def _params(call: StepCall) -> SsmAutomationParams:
    return SsmAutomationParams.model_validate(call.params)


def client_token(call: StepCall) -> str:
    """The UUID SSM takes as the idempotency token, the same for every retry of the step."""
    return str(uuid.uuid5(TOKENS, call.idempotency_key))


class SsmAutomation(AwsExecutor):
    """Starts the automation and waits for its terminal status; nothing to undo."""

    service = "ssm"

    def client(self, call: StepCall) -> Any:
        """SSM for Automation calls (an endpoint of its own when overridden)."""
        return self.clients.client(self.service, call, endpoint_key=ENDPOINT)

    def _start(self, call: StepCall) -> StepProgress:
        found = self._reconcile(call)
        if found is not None:
            return found
        p = _params(call)
        version = {"DocumentVersion": p.document_version} if p.document_version else {}
        answer = self.client(call).start_automation_execution(
            DocumentName=p.document_name,
            Parameters=p.parameters,
            ClientToken=client_token(call),
            Tags=[{"Key": memo_tag(call), "Value": call.execution_id}],
            **version,
        )
        return running({"automation_execution_id": answer["AutomationExecutionId"]})

    def _reconcile(self, call: StepCall) -> StepProgress | None:
        answer = self.client(call).describe_automation_executions(
            Filters=[{"Key": "TagKey", "Values": [memo_tag(call)]}]
        )
        for item in answer.get("AutomationExecutionMetadataList", []):
            return running({"automation_execution_id": item["AutomationExecutionId"]})
        return None

    def _poll(self, call: StepCall, last: StepProgress) -> StepProgress:
        ident = str(last.output["automation_execution_id"])
        answer = self.client(call).get_automation_execution(AutomationExecutionId=ident)[
            "AutomationExecution"
        ]
        status = str(answer.get("AutomationExecutionStatus", ""))
        output = {"automation_execution_id": ident, "status": status}
        if status in WAITING:
            return running(output)
        if status == "Success":
            return succeeded({**output, "outputs": answer.get("Outputs", {})})
        why = answer.get("FailureMessage") or f"automation ended {status}"
        return failed(f"Automation{status}", f"{ident}: {why}")

    def _simulate(self, call: StepCall) -> StepProgress:
        p = _params(call)
        self.client(call).describe_document(Name=p.document_name)
        return succeeded({"would": f"run automation {p.document_name}"})
