"""A rollout that fails: CloudFormation rolls back and the deploy names the first failure.

moto's CloudFormation never fails a resource and rolls back, so the exact answers of a
failed update are played through botocore's Stubber on a real CloudFormation client.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from drorch.deploy import stack
from drorch.errors import DeployError

NAME = "drorch-prod"
CHANGE_SET = "arn:aws:cloudformation:us-east-1:123456789012:changeSet/drorch-1/abc"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def event(n: int, logical: str, status: str, reason: str = "") -> dict[str, Any]:
    found = {
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/drorch-prod/1",
        "EventId": f"e{n}",
        "StackName": NAME,
        "LogicalResourceId": logical,
        "ResourceStatus": status,
        "Timestamp": T0 + timedelta(seconds=n),
    }
    if reason:
        found["ResourceStatusReason"] = reason
    return found


def described(status: str) -> dict[str, Any]:
    return {"Stacks": [{"StackName": NAME, "StackStatus": status, "CreationTime": T0}]}


def test_a_failed_update_reports_the_first_failed_resource_and_its_reason() -> None:
    cfn = boto3.client(
        "cloudformation", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    old = [event(0, NAME, "UPDATE_COMPLETE")]
    new = [
        event(1, NAME, "UPDATE_IN_PROGRESS", "User Initiated"),
        event(2, "ApiFunction", "UPDATE_FAILED", "Resource handler returned message: bad runtime"),
        event(3, "AdvanceFunction", "UPDATE_FAILED", "Resource update cancelled"),
        event(4, NAME, "UPDATE_ROLLBACK_IN_PROGRESS"),
        event(5, NAME, "UPDATE_ROLLBACK_COMPLETE"),
    ]
    seen: list[str] = []
    with Stubber(cfn) as stub:
        stub.add_response("describe_stack_events", {"StackEvents": old}, {"StackName": NAME})
        stub.add_response("execute_change_set", {}, {"ChangeSetName": CHANGE_SET})
        stub.add_response("describe_stacks", described("UPDATE_ROLLBACK_IN_PROGRESS"))
        stub.add_response("describe_stack_events", {"StackEvents": [*reversed(new[:3]), *old]})
        stub.add_response("describe_stacks", described("UPDATE_ROLLBACK_COMPLETE"))
        stub.add_response("describe_stack_events", {"StackEvents": [*reversed(new), *old]})
        outcome = stack.execute(
            cfn,
            stack.Planned(NAME, CHANGE_SET, "UPDATE"),
            on_event=lambda e: seen.append(e["EventId"]),
            sleep=lambda _: None,
        )
        stub.assert_no_pending_responses()
    assert outcome.status == "UPDATE_ROLLBACK_COMPLETE" and not outcome.ok
    assert outcome.failure == ("ApiFunction", "Resource handler returned message: bad runtime")
    assert seen == ["e1", "e2", "e3", "e4", "e5"]  # each event once, oldest first
    assert outcome.summary(NAME) == (
        "drorch-prod ended UPDATE_ROLLBACK_COMPLETE: "
        "ApiFunction failed: Resource handler returned message: bad runtime"
    )


def test_an_empty_change_set_is_dropped_and_reported_as_no_change() -> None:
    cfn = boto3.client(
        "cloudformation", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    reason = "The submitted information didn't contain changes. Submit different information."
    with Stubber(cfn) as stub:
        stub.add_response("create_change_set", {"Id": CHANGE_SET, "StackId": "s"})
        stub.add_response(
            "describe_change_set",
            {"Status": "FAILED", "StatusReason": reason, "ChangeSetName": "c", "StackName": NAME},
        )
        planned = stack.plan(
            cfn,
            name=NAME,
            existing={"StackName": NAME},
            template={"TemplateURL": "https://b.s3.us-east-1.amazonaws.com/t.json"},
            parameters=[],
            tags={},
            sleep=lambda _: None,
        )
        stub.add_response("delete_change_set", {}, {"ChangeSetName": CHANGE_SET})
        stack.discard(cfn, planned)
        stub.assert_no_pending_responses()
    assert planned.empty and planned.change_type == "UPDATE"


def test_a_refused_change_set_says_why() -> None:
    cfn = boto3.client(
        "cloudformation", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(cfn) as stub:
        stub.add_response("create_change_set", {"Id": CHANGE_SET, "StackId": "s"})
        stub.add_response(
            "describe_change_set",
            {"Status": "FAILED", "StatusReason": "Requires capabilities", "StackName": NAME},
        )
        stub.add_response("delete_change_set", {})
        stub.add_response("delete_stack", {})
        with pytest.raises(DeployError, match=r"refused the change set.*Requires capabilities"):
            stack.plan(
                cfn,
                name=NAME,
                existing=None,
                template={"TemplateBody": "{}"},
                parameters=[],
                tags={},
                sleep=lambda _: None,
            )
