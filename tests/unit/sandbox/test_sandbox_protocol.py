"""Routes and input checks come from botocore's drs model."""

from __future__ import annotations

import json

import pytest

from drorch.sandbox import Sandbox, protocol
from drorch.sandbox.errors import Validation
from drorch.sandbox.wire import duration, iso, parse_arn, parse_iso
from tests.support.sandbox import ACCOUNT, REGION


def test_every_model_operation_has_a_route_with_its_success_code() -> None:
    model = protocol.service_model()
    names = {route.name for route in protocol.routes()}
    assert names == set(model.operation_names)
    found = protocol.match("POST", "/StartRecovery")
    assert found is not None and found[0].status == 202


def test_tag_routes_decode_the_arn_label() -> None:
    arn = "arn:aws:drs:us-east-1:123456789012:job/drsjob-12345678901234567"
    encoded = arn.replace(":", "%3A").replace("/", "%2F")
    for method, name in (("GET", "ListTagsForResource"), ("POST", "TagResource")):
        found = protocol.match(method, f"/tags/{encoded}")
        assert found is not None
        assert found[0].name == name and found[1] == {"resourceArn": arn}
    assert protocol.match("PUT", "/StartRecovery") is None


def test_error_statuses_are_the_models() -> None:
    assert protocol.error_status("ServiceQuotaExceededException") == 402
    assert protocol.error_status("ThrottlingException") == 429
    assert protocol.error_status("ConflictException") == 409


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "sourceServers"),
        ({"sourceServers": []}, "sourceServers"),
        ({"sourceServers": [{"sourceServerID": "bad"}]}, "sourceServers[0].sourceServerID"),
        ({"sourceServers": [{}]}, "sourceServers[0].sourceServerID"),
        ({"sourceServers": "x"}, "sourceServers"),
        (
            {"sourceServers": [{"sourceServerID": "s-00000000000000001"}], "isDrill": "yes"},
            "isDrill",
        ),
        ({"sourceServers": [{"sourceServerID": "s-00000000000000001"}], "extra": 1}, "extra"),
    ],
)
def test_start_recovery_input_problems_name_the_field(
    params: dict[str, object], field: str
) -> None:
    op = protocol.service_model().operation_model("StartRecovery")
    with pytest.raises(Validation) as caught:
        protocol.check_input(op, params)
    assert caught.value.fields["fieldList"][0]["name"] == field
    assert caught.value.fields["reason"] == "fieldValidationFailed"


def test_enums_and_integer_minimums_are_checked() -> None:
    op = protocol.service_model().operation_model("DescribeRecoverySnapshots")
    with pytest.raises(Validation, match="order"):
        protocol.check_input(op, {"sourceServerID": "s-00000000000000001", "order": "UP"})
    jobs = protocol.service_model().operation_model("DescribeJobs")
    with pytest.raises(Validation, match="maxResults"):
        protocol.check_input(jobs, {"maxResults": 0})


def test_wire_formats() -> None:
    assert iso(0) == "1970-01-01T00:00:00.000000Z"
    assert parse_iso(iso(1234.5)) == 1234.5
    assert [duration(s) for s in (0, 59, 3600, 3725)] == ["PT0S", "PT59S", "PT1H", "PT1H2M5S"]
    assert parse_arn("arn:aws:drs:eu-west-1:123456789012:source-server/s-1") == (
        "eu-west-1",
        "123456789012",
        "source-server",
        "s-1",
    )
    assert parse_arn("arn:aws:ec2:eu-west-1:1:instance/i-1") is None


def test_pre_encoded_items_give_the_same_json(sandbox: Sandbox) -> None:
    from drorch.sandbox.render import Rendered, encode, structured

    wire = sandbox.call("DescribeSourceServers", ACCOUNT, REGION, {"maxResults": 3}, wire=True)
    assert len(wire["items"]) == 3
    assert all(isinstance(item, Rendered) for item in wire["items"])
    plain = sandbox.call("DescribeSourceServers", ACCOUNT, REGION, {"maxResults": 3})
    # The text sent is the structure callers in this process get, member for member.
    assert json.loads(encode(wire)) == plain == json.loads(json.dumps(structured(wire)))
    assert plain["items"][0]["sourceProperties"]["identificationHints"]["hostname"]
    assert json.loads(encode({"items": [], "x": 1})) == {"items": [], "x": 1}
