"""`cloudfront_invalidate` and `api_gateway_access` against moto over HTTP."""

from __future__ import annotations

from typing import Any

from drorch.adapters.aws.actions import AwsStepExecutors
from drorch.adapters.aws.actions.api_gateway_access import STOPPED_TAG
from drorch.ports.steps import StepCall, StepProgress, StepState
from tests.integration.actions.conftest import step_call, unique


def _distribution(aws: Any) -> str:
    origin = {
        "Id": "web",
        "DomainName": "web.example.com",
        "CustomOriginConfig": {
            "HTTPPort": 80,
            "HTTPSPort": 443,
            "OriginProtocolPolicy": "https-only",
        },
    }
    config = {
        "CallerReference": unique("dist"),
        "Comment": "bookings",
        "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": {
            "TargetOriginId": "web",
            "ViewerProtocolPolicy": "redirect-to-https",
            "MinTTL": 0,
        },
    }
    answer = aws("cloudfront").create_distribution(DistributionConfig=config)
    return str(answer["Distribution"]["Id"])


def _finish(executor: Any, call: StepCall, progress: StepProgress) -> StepProgress:
    for _ in range(10):
        if progress.state != StepState.RUNNING:
            break
        progress = executor.poll(call, progress)
    return progress


def test_invalidation_completes_and_a_repeated_start_makes_no_second(
    executors: AwsStepExecutors, aws: Any
) -> None:
    dist = _distribution(aws)
    call = step_call("cloudfront_invalidate", {"distribution_id": dist, "paths": ["/*"]})
    executor = executors.for_type("cloudfront_invalidate")
    assert executor.reconcile(call) is None

    first = _finish(executor, call, executor.start(call))
    found = executor.reconcile(call)
    again = executor.start(call)

    assert first.state == StepState.SUCCEEDED and first.changed == {}
    assert found is not None and found.output["invalidation_id"] == first.output["invalidation_id"]
    assert again.output["invalidation_id"] == first.output["invalidation_id"]
    listed = aws("cloudfront").list_invalidations(DistributionId=dist)["InvalidationList"]
    assert listed["Quantity"] == 1
    undone = executor.undo(call, first.changed)  # an invalidation has nothing to put back
    assert undone.state == StepState.SUCCEEDED and undone.output["phase"] == "undo"


def test_invalidating_a_missing_distribution_fails_with_the_aws_code(
    executors: AwsStepExecutors,
) -> None:
    call = step_call("cloudfront_invalidate", {"distribution_id": "ENOSUCHDIST", "paths": ["/"]})

    progress = executors.for_type("cloudfront_invalidate").start(call)

    assert progress.state == StepState.FAILED
    assert progress.error_code == "NoSuchDistribution"


def _stage(aws: Any) -> tuple[str, str]:
    gw = aws("apigateway")
    api = gw.create_rest_api(name=unique("gift-tracker"))["id"]
    root = gw.get_resources(restApiId=api)["items"][0]["id"]
    gw.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    gw.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    deployment = gw.create_deployment(restApiId=api)["id"]
    gw.create_stage(restApiId=api, stageName="prod", deploymentId=deployment)
    ops = [
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "500"},
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "250"},
    ]
    gw.update_stage(restApiId=api, stageName="prod", patchOperations=ops)
    return api, "prod"


def _throttle(aws: Any, api: str) -> tuple[float, float]:
    found = aws("apigateway").get_stage(restApiId=api, stageName="prod")["methodSettings"]["*/*"]
    return found["throttlingRateLimit"], found["throttlingBurstLimit"]


def _access(api: str, mode: str) -> StepCall:
    return step_call("api_gateway_access", {"rest_api_id": api, "stage": "prod", "mode": mode})


def test_stop_throttles_to_zero_and_a_separate_resume_restores_the_settings(
    executors: AwsStepExecutors, aws: Any
) -> None:
    api, _ = _stage(aws)
    executor = executors.for_type("api_gateway_access")

    stopped = executor.start(_access(api, "stop"))
    assert stopped.state == StepState.SUCCEEDED, stopped
    assert _throttle(aws, api) == (0, 0)
    again = executor.start(_access(api, "stop"))  # a second stop keeps the first settings
    resumed = executor.start(_access(api, "resume"))  # another step: it finds the tag

    assert again.changed["previous"] == {"throttlingRateLimit": 500, "throttlingBurstLimit": 250}
    assert resumed.state == StepState.SUCCEEDED and resumed.output["resumed"] is True
    assert _throttle(aws, api) == (500, 250)
    tags = aws("apigateway").get_stage(restApiId=api, stageName="prod").get("tags") or {}
    assert STOPPED_TAG not in tags


def test_undo_of_a_stop_resumes_and_a_crashed_stop_is_found(
    executors: AwsStepExecutors, aws: Any
) -> None:
    api, _ = _stage(aws)
    call = _access(api, "stop")
    executor = executors.for_type("api_gateway_access")
    assert executor.reconcile(call) is None

    executor.start(call)
    found = executor.reconcile(call)
    assert found is not None and found.changed["stopped"] == "prod"
    undone = executor.undo(call, found.changed)

    assert undone.state == StepState.SUCCEEDED
    assert _throttle(aws, api) == (500, 250)


def test_a_missing_api_fails_and_simulate_changes_nothing(
    executors: AwsStepExecutors, aws: Any
) -> None:
    api, _ = _stage(aws)
    executor = executors.for_type("api_gateway_access")

    missing = executor.start(_access("nosuchapi", "stop"))
    simulated = executor.start(
        step_call("api_gateway_access", dict(_access(api, "stop").params), simulate=True)
    )

    assert missing.state == StepState.FAILED and missing.error_code == "NotFoundException"
    assert simulated.state == StepState.SUCCEEDED and "would" in simulated.output
    assert _throttle(aws, api) == (500, 250)
