"""`invoke_lambda` over Lambda: a synchronous hook; a function error fails the step.

Lambda keeps no record of a synchronous invocation, so nothing can be found after a
crash: `reconcile` says "not done" and the hook may run again. Each invocation carries the
step's idempotency key (in the client context and the payload's `drorch` block) so a hook
that must not repeat its work can check it.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from drorch.adapters.aws.actions.base import AwsExecutor, failed, succeeded
from drorch.domain.steps.invoke_lambda import InvokeLambdaParams
from drorch.ports.steps import StepCall, StepProgress

MAX_OUTPUT = 4096  # characters of the function's answer kept on the timeline


def _params(call: StepCall) -> InvokeLambdaParams:
    return InvokeLambdaParams.model_validate(call.params)


def _drorch(call: StepCall) -> dict[str, Any]:
    return {
        "execution_id": call.execution_id,
        "step": call.name,
        "drill": call.drill,
        "idempotency_key": call.idempotency_key,
    }


class InvokeLambda(AwsExecutor):
    """Invokes the function once per start and reads its answer; nothing to undo."""

    service = "lambda"

    def _start(self, call: StepCall) -> StepProgress:
        p = _params(call)
        context = json.dumps({"custom": _drorch(call)}).encode()
        qualifier = {"Qualifier": p.qualifier} if p.qualifier else {}
        answer = self.client(call).invoke(
            FunctionName=p.function_name,
            InvocationType="RequestResponse",
            Payload=json.dumps({**p.payload, "drorch": _drorch(call)}).encode(),
            ClientContext=base64.b64encode(context).decode(),
            **qualifier,
        )
        body = answer["Payload"].read().decode("utf-8", errors="replace")[:MAX_OUTPUT]
        if answer.get("FunctionError"):
            return failed(f"FunctionError.{answer['FunctionError']}", body or "function failed")
        return succeeded({"status_code": answer.get("StatusCode"), "response": body})

    def _reconcile(self, call: StepCall) -> StepProgress | None:
        return None  # a synchronous invocation leaves nothing to find

    def _simulate(self, call: StepCall) -> StepProgress:
        p = _params(call)
        qualifier = {"Qualifier": p.qualifier} if p.qualifier else {}
        self.client(call).get_function(FunctionName=p.function_name, **qualifier)
        return succeeded({"would": f"invoke {p.function_name}"})
