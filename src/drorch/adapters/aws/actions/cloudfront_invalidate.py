"""`cloudfront_invalidate` over CloudFront: the step's key is the CallerReference.

CloudFront answers a repeated CallerReference with the first invalidation; `start` still
looks first (so a fake that does not dedupe makes none twice) and `reconcile` finds the
invalidation among the distribution's recent ones by its CallerReference.
"""

from __future__ import annotations

from drorch.adapters.aws.actions.base import AwsExecutor, running, succeeded
from drorch.domain.steps.cloudfront_invalidate import CloudfrontInvalidateParams
from drorch.ports.steps import StepCall, StepProgress

LOOK_BACK = 50  # recent invalidations inspected when reconciling (newest first on AWS)


def _params(call: StepCall) -> CloudfrontInvalidateParams:
    return CloudfrontInvalidateParams.model_validate(call.params)


class CloudfrontInvalidate(AwsExecutor):
    """Creates the invalidation and waits until it is Completed; nothing to undo."""

    service = "cloudfront"

    def _start(self, call: StepCall) -> StepProgress:
        found = self._reconcile(call)
        if found is not None:
            return found
        p = _params(call)
        answer = self.client(call).create_invalidation(
            DistributionId=p.distribution_id,
            InvalidationBatch={
                "Paths": {"Quantity": len(p.paths), "Items": list(p.paths)},
                "CallerReference": call.idempotency_key,
            },
        )
        return self._progress(p, answer["Invalidation"])

    def _progress(self, p: CloudfrontInvalidateParams, item: dict[str, object]) -> StepProgress:
        status = str(item["Status"])
        output = {"distribution_id": p.distribution_id, "invalidation_id": item["Id"]}
        output["status"] = status
        return succeeded(output) if status.lower() == "completed" else running(output)

    def _get(self, call: StepCall, p: CloudfrontInvalidateParams, ident: str) -> dict[str, object]:
        answer = self.client(call).get_invalidation(DistributionId=p.distribution_id, Id=ident)
        return dict(answer["Invalidation"])

    def _reconcile(self, call: StepCall) -> StepProgress | None:
        p = _params(call)
        listed = self.client(call).list_invalidations(
            DistributionId=p.distribution_id, MaxItems=str(LOOK_BACK)
        )
        for summary in listed.get("InvalidationList", {}).get("Items", []) or []:
            item = self._get(call, p, str(summary["Id"]))
            batch = item.get("InvalidationBatch") or {}
            if isinstance(batch, dict) and batch.get("CallerReference") == call.idempotency_key:
                return self._progress(p, item)
        return None

    def _poll(self, call: StepCall, last: StepProgress) -> StepProgress:
        p = _params(call)
        return self._progress(p, self._get(call, p, str(last.output["invalidation_id"])))

    def _simulate(self, call: StepCall) -> StepProgress:
        p = _params(call)
        self.client(call).get_distribution(Id=p.distribution_id)
        return succeeded({"would": f"invalidate {len(p.paths)} path(s)", "paths": p.paths})
