"""`ssm_command` over SSM Run Command: send a document to instances, wait for each invocation.

SendCommand takes no client token, so the command's Comment carries the step's key and
`reconcile` finds it among the account's recent commands by that Comment.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from drorch.adapters.aws.actions.base import (
    AwsExecutor,
    error_code,
    failed,
    memo_tag,
    running,
    succeeded,
)
from drorch.domain.steps.ssm_command import SsmCommandParams
from drorch.ports.steps import StepCall, StepProgress

WAITING = {"Pending", "InProgress", "Delayed", "Cancelling"}
LOOK_BACK_PAGES = 5


def _params(call: StepCall) -> SsmCommandParams:
    return SsmCommandParams.model_validate(call.params)


class SsmCommand(AwsExecutor):
    """Sends the command and waits until every invocation has ended; nothing to undo."""

    service = "ssm"

    def _start(self, call: StepCall) -> StepProgress:
        found = self._reconcile(call)
        if found is not None:
            return found
        p = _params(call)
        if not p.instance_ids:
            return failed("NoInstances", "no instances to run on (the wave recovered none)")
        answer = self.client(call).send_command(
            DocumentName=p.document_name,
            Parameters=p.parameters,
            InstanceIds=list(p.instance_ids),
            TimeoutSeconds=p.timeout_seconds,
            Comment=memo_tag(call),
        )
        return running({"command_id": answer["Command"]["CommandId"]})

    def _reconcile(self, call: StepCall) -> StepProgress | None:
        ssm = self.client(call)
        token: dict[str, Any] = {}
        for _ in range(LOOK_BACK_PAGES):
            answer = ssm.list_commands(MaxResults=50, **token)
            for command in answer.get("Commands", []):
                if command.get("Comment") == memo_tag(call):
                    return running({"command_id": command["CommandId"], "found": True})
            if not answer.get("NextToken"):
                return None
            token = {"NextToken": answer["NextToken"]}
        return None

    def _poll(self, call: StepCall, last: StepProgress) -> StepProgress:
        command_id = str(last.output["command_id"])
        known = dict(last.output.get("invocations") or {})
        statuses = {i: known.get(i, "Pending") for i in _params(call).instance_ids}
        for instance_id, status in statuses.items():
            if status in WAITING:  # ended invocations are not asked again
                statuses[instance_id] = self._invocation(call, command_id, instance_id)
        output = {"command_id": command_id, "invocations": statuses}
        if any(s in WAITING for s in statuses.values()):
            return running(output)
        bad = {i: s for i, s in statuses.items() if s != "Success"}
        if bad:
            return failed("CommandFailed", f"command {command_id} did not succeed on {bad}")
        return succeeded(output)

    def _invocation(self, call: StepCall, command_id: str, instance_id: str) -> str:
        try:
            answer = self.client(call).get_command_invocation(
                CommandId=command_id, InstanceId=instance_id
            )
        except ClientError as exc:
            if error_code(exc) == "InvocationDoesNotExist":
                return "Pending"  # SSM needs a moment to record a fresh command's invocations
            raise
        return str(answer["Status"])

    def _simulate(self, call: StepCall) -> StepProgress:
        p = _params(call)
        self.client(call).describe_document(Name=p.document_name)
        return succeeded({"would": f"run {p.document_name} on {list(p.instance_ids)}"})
