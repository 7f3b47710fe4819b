"""`api_gateway_access` over API Gateway: stop a stage (throttle to 0) and resume it.

`stop` first tags the stage with the throttling it had (`drorch:stopped` holds the previous
settings, packed, or `none`), then sets every method's rate and burst limit to 0. `resume`
reads that tag from the stage, so it needs no link to the stop action: it may run in a
later wave, another plan, or by hand after a crash. A stage without the tag is not stopped
by drorch and `resume` leaves it alone. A repeated stop keeps the first recorded settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drorch.adapters.aws.actions.base import NONE, AwsExecutor, pack, succeeded, unpack
from drorch.domain.steps.api_gateway_access import ApiGatewayAccessParams
from drorch.ports.steps import StepCall, StepProgress

STOPPED_TAG = "drorch:stopped"
ALL_METHODS = "*/*"
LIMITS = {"throttlingRateLimit": "rateLimit", "throttlingBurstLimit": "burstLimit"}


def _params(call: StepCall) -> ApiGatewayAccessParams:
    return ApiGatewayAccessParams.model_validate(call.params)


def _arn(call: StepCall, p: ApiGatewayAccessParams) -> str:
    return f"arn:aws:apigateway:{call.region}::/restapis/{p.rest_api_id}/stages/{p.stage}"


def _throttle_ops(rate: Any, burst: Any) -> list[dict[str, str]]:
    return [
        {"op": "replace", "path": f"/{ALL_METHODS}/throttling/rateLimit", "value": str(rate)},
        {"op": "replace", "path": f"/{ALL_METHODS}/throttling/burstLimit", "value": str(burst)},
    ]


class ApiGatewayAccess(AwsExecutor):
    """Stops or resumes a REST API stage; the undo of a stop is a resume."""

    service = "apigateway"

    def _stage(self, call: StepCall, p: ApiGatewayAccessParams) -> dict[str, Any]:
        return dict(self.client(call).get_stage(restApiId=p.rest_api_id, stageName=p.stage))

    def _start(self, call: StepCall) -> StepProgress:
        p = _params(call)
        return self._stop(call, p) if p.mode == "stop" else self._resume(call, p)

    def _stop(self, call: StepCall, p: ApiGatewayAccessParams) -> StepProgress:
        stage = self._stage(call, p)
        memo = (stage.get("tags") or {}).get(STOPPED_TAG)
        if memo is None:
            memo = _previous(stage)
            self.client(call).tag_resource(resourceArn=_arn(call, p), tags={STOPPED_TAG: memo})
        self.client(call).update_stage(
            restApiId=p.rest_api_id, stageName=p.stage, patchOperations=_throttle_ops(0, 0)
        )
        output = {"stage": p.stage, "stopped": True, "previous": _parse(memo)}
        return succeeded(output, stopped=p.stage, previous=_parse(memo))

    def _resume(self, call: StepCall, p: ApiGatewayAccessParams) -> StepProgress:
        stage = self._stage(call, p)
        memo = (stage.get("tags") or {}).get(STOPPED_TAG)
        if memo is None:
            return succeeded({"stage": p.stage, "resumed": False, "why": "not stopped by drorch"})
        previous = _parse(memo)
        if previous is None:
            # There was no all-methods setting: remove it (the account's limits apply again).
            ops = [{"op": "remove", "path": f"/{ALL_METHODS}"}]
        else:
            ops = _throttle_ops(previous["throttlingRateLimit"], previous["throttlingBurstLimit"])
        self.client(call).update_stage(
            restApiId=p.rest_api_id, stageName=p.stage, patchOperations=ops
        )
        self.client(call).untag_resource(resourceArn=_arn(call, p), tagKeys=[STOPPED_TAG])
        return succeeded({"stage": p.stage, "resumed": True, "restored": previous})

    def _reconcile(self, call: StepCall) -> StepProgress | None:
        p = _params(call)
        stage = self._stage(call, p)
        memo = (stage.get("tags") or {}).get(STOPPED_TAG)
        if p.mode == "resume":
            return succeeded({"stage": p.stage, "resumed": True}) if memo is None else None
        if memo is None or not _throttled(stage):
            return None
        output = {"stage": p.stage, "stopped": True, "previous": _parse(memo)}
        return succeeded(output, stopped=p.stage, previous=_parse(memo))

    def _undo(self, call: StepCall, changed: Mapping[str, Any]) -> StepProgress:
        if "stopped" not in changed:
            return succeeded({"undo": "nothing to undo"})
        return self._resume(call, _params(call))

    def _simulate(self, call: StepCall) -> StepProgress:
        p = _params(call)
        stage = self._stage(call, p)
        return succeeded(
            {"would": f"{p.mode} stage {p.stage}", "current": _parse(_previous(stage))}
        )


def _previous(stage: Mapping[str, Any]) -> str:
    """The all-methods throttling as the tag stores it (packed, or `none`)."""
    found = (stage.get("methodSettings") or {}).get(ALL_METHODS)
    if not found:
        return NONE
    kept = {k: found[k] for k in LIMITS if k in found}
    return pack(kept) if len(kept) == len(LIMITS) else NONE


def _throttled(stage: Mapping[str, Any]) -> bool:
    found = (stage.get("methodSettings") or {}).get(ALL_METHODS) or {}
    return all(float(found.get(k, -1)) == 0 for k in LIMITS)


def _parse(memo: str) -> dict[str, Any] | None:
    return unpack(memo)
