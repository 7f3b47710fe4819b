"""Reading change sets and failed rollouts."""

from __future__ import annotations

from drorch.deploy.changes import change_rows, first_failure, is_empty_change_set


def change(action: str, logical: str, kind: str, replacement: str = "") -> dict[str, object]:
    resource = {"Action": action, "LogicalResourceId": logical, "ResourceType": kind}
    if replacement:
        resource["Replacement"] = replacement
    return {"Type": "Resource", "ResourceChange": resource}


def test_rows_name_added_modified_replaced_and_removed_resources() -> None:
    rows = change_rows(
        [
            change("Add", "NewTopic", "AWS::SNS::Topic"),
            change("Modify", "ApiFunction", "AWS::Lambda::Function", "False"),
            change("Modify", "ApiRole", "AWS::IAM::Role", "True"),
            change("Remove", "OldRule", "AWS::Events::Rule"),
        ]
    )
    assert [(r.action, r.logical_id) for r in rows] == [
        ("added", "NewTopic"),
        ("modified", "ApiFunction"),
        ("removed", "OldRule"),
        ("replaced", "ApiRole"),
    ]
    assert not any(r.dangerous for r in rows)


def test_replacing_a_stateful_resource_is_flagged() -> None:
    rows = change_rows(
        [
            change("Modify", "StoreTable", "AWS::DynamoDB::Table", "True"),
            change("Modify", "UserPool", "AWS::Cognito::UserPool", "Conditional"),
            change("Modify", "UiBucket", "AWS::S3::Bucket", "False"),
        ]
    )
    flagged = {r.logical_id: r.dangerous for r in rows}
    assert flagged == {"StoreTable": True, "UserPool": True, "UiBucket": False}
    assert rows[0].as_dict()["dangerous"] in {True, False}


def test_the_first_failure_skips_resources_cancelled_because_of_it() -> None:
    events = [
        {"LogicalResourceId": "A", "ResourceStatus": "UPDATE_COMPLETE"},
        {
            "LogicalResourceId": "B",
            "ResourceStatus": "UPDATE_FAILED",
            "ResourceStatusReason": "Resource update cancelled",
        },
        {
            "LogicalResourceId": "C",
            "ResourceStatus": "UPDATE_FAILED",
            "ResourceStatusReason": "Invalid runtime",
        },
        {
            "LogicalResourceId": "D",
            "ResourceStatus": "CREATE_FAILED",
            "ResourceStatusReason": "later",
        },
    ]
    assert first_failure(events) == ("C", "Invalid runtime")
    assert first_failure(events[:1]) is None


def test_an_empty_change_set_is_recognised_by_its_reason() -> None:
    reason = "The submitted information didn't contain changes. Submit different information."
    assert is_empty_change_set("FAILED", reason)
    assert not is_empty_change_set("FAILED", "Template format error")
    assert not is_empty_change_set("CREATE_COMPLETE", "")
