"""`route53_change` against moto over HTTP: UPSERT, refusal, crash and reconcile, undo."""

from __future__ import annotations

from typing import Any

from drorch.adapters.aws.actions import AwsStepExecutors
from drorch.ports.steps import StepCall, StepProgress, StepState
from tests.integration.actions.conftest import step_call, unique


def _zone(aws: Any, with_record: bool = True) -> tuple[str, str]:
    domain = f"{unique('bookings')}.example.com"
    r53 = aws("route53")
    zone = r53.create_hosted_zone(Name=domain, CallerReference=unique("z"))["HostedZone"]["Id"]
    zone_id = zone.split("/")[-1]
    if with_record:
        _upsert(r53, zone_id, f"api.{domain}.", "10.0.0.1")
    return zone_id, domain


def _upsert(r53: Any, zone_id: str, name: str, value: str) -> None:
    record = {"Name": name, "Type": "A", "TTL": 300, "ResourceRecords": [{"Value": value}]}
    r53.change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": record}]},
    )


def _values(aws: Any, zone_id: str, name: str) -> list[str] | None:
    sets = aws("route53").list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    for found in sets:
        if found["Name"] == name and found["Type"] == "A":
            return [r["Value"] for r in found["ResourceRecords"]]
    return None


def _finish(executor: Any, call: StepCall, progress: StepProgress) -> StepProgress:
    while progress.state == StepState.RUNNING:
        progress = executor.poll(call, progress)
    return progress


def _call(zone_id: str, domain: str, value: str = "10.9.9.9") -> StepCall:
    params = {
        "zone_id": zone_id,
        "record_name": f"api.{domain}",
        "record_type": "A",
        "values": [value],
        "ttl": 60,
    }
    return step_call("route53_change", params)


def test_upserts_waits_insync_and_undo_puts_the_previous_record_back(
    executors: AwsStepExecutors, aws: Any
) -> None:
    zone_id, domain = _zone(aws)
    call = _call(zone_id, domain)
    executor = executors.for_type("route53_change")

    done = _finish(executor, call, executor.start(call))

    assert done.state == StepState.SUCCEEDED and done.output["status"] == "INSYNC"
    assert _values(aws, zone_id, f"api.{domain}.") == ["10.9.9.9"]
    assert done.changed["previous"]["ResourceRecords"] == [{"Value": "10.0.0.1"}]
    undone = _finish(executor, call, executor.undo(call, done.changed))
    assert undone.state == StepState.SUCCEEDED
    assert _values(aws, zone_id, f"api.{domain}.") == ["10.0.0.1"]


def test_undo_deletes_a_record_that_did_not_exist_before(
    executors: AwsStepExecutors, aws: Any
) -> None:
    zone_id, domain = _zone(aws, with_record=False)
    call = _call(zone_id, domain)
    executor = executors.for_type("route53_change")

    done = _finish(executor, call, executor.start(call))
    undone = _finish(executor, call, executor.undo(call, done.changed))

    assert done.changed == {"previous": None}
    assert undone.state == StepState.SUCCEEDED
    assert _values(aws, zone_id, f"api.{domain}.") is None


def test_a_missing_zone_fails_with_the_aws_code(executors: AwsStepExecutors) -> None:
    progress = executors.for_type("route53_change").start(_call("Z0NOSUCHZONE", "x.example"))

    assert progress.state == StepState.FAILED
    assert progress.error_code == "NoSuchHostedZone"


def test_after_a_crash_the_previous_value_is_still_the_one_before_drorch(
    executors: AwsStepExecutors, aws: Any
) -> None:
    zone_id, domain = _zone(aws)
    call = _call(zone_id, domain)
    executor = executors.for_type("route53_change")
    assert executor.reconcile(call) is None

    executor.start(call)  # done, but the worker died before recording the result
    found = executor.reconcile(call)
    again = _finish(executor, call, executor.start(call))

    assert found is not None and found.state == StepState.SUCCEEDED
    assert found.changed["previous"]["ResourceRecords"] == [{"Value": "10.0.0.1"}]
    assert again.changed == found.changed  # not drorch's own value remembered as "previous"


def test_simulate_reports_the_change_and_makes_none(executors: AwsStepExecutors, aws: Any) -> None:
    zone_id, domain = _zone(aws)
    call = step_call("route53_change", dict(_call(zone_id, domain).params), simulate=True)

    progress = executors.for_type("route53_change").start(call)

    assert progress.state == StepState.SUCCEEDED
    assert progress.output["current"]["ResourceRecords"] == [{"Value": "10.0.0.1"}]
    assert _values(aws, zone_id, f"api.{domain}.") == ["10.0.0.1"]
