"""The fast restJson parser gives exactly what botocore's own parser gives."""

from __future__ import annotations

import itertools
import json
from typing import Any

import boto3
import pytest
from botocore import parsers
from botocore.model import Shape

from drorch.adapters.aws.drs import BotoDrsClient
from drorch.adapters.aws.fast_parse import FastParserFactory, FastRestJSONParser
from drorch.ports.drs import Scope

OPERATIONS = [
    ("drs", "DescribeJobs"),
    ("drs", "DescribeRecoveryInstances"),
    ("drs", "DescribeSourceServers"),
    ("drs", "GetLaunchConfiguration"),
    ("drs", "StartRecovery"),
    ("apigateway", "GetStage"),  # maps, booleans, integers, doubles, timestamps
    ("lambda", "GetFunction"),
]


def sample(shape: Shape, counter: itertools.count[int], depth: int = 0) -> Any:
    """A wire value for a shape: every member set, two items per list and map."""
    kind = shape.type_name
    if kind == "structure":
        if depth > 6:
            return {}
        return {
            member.serialization.get("name", name): sample(member, counter, depth + 1)
            for name, member in shape.members.items()
            if member.serialization.get("location") is None
        }
    if kind == "list":
        return [sample(shape.member, counter, depth + 1) for _ in range(2)] + [None]
    if kind == "map":
        return {f"k{next(counter)}": sample(shape.value, counter, depth + 1) for _ in range(2)}
    if kind == "boolean":
        return next(counter) % 2 == 0
    if kind in ("integer", "long"):
        return next(counter)
    if kind in ("float", "double"):
        return next(counter) + 0.5
    if kind == "timestamp":
        return 1_700_000_000 + next(counter)
    if kind == "blob":
        return "aGVsbG8="
    return f"v{next(counter)}"


def response(body: Any) -> dict[str, Any]:
    return {
        "status_code": 200,
        "headers": {"x-amzn-requestid": "req-1", "content-type": "application/json"},
        "body": json.dumps(body).encode(),
    }


@pytest.mark.parametrize(("service", "operation"), OPERATIONS)
def test_every_member_parses_as_botocore_parses_it(service: str, operation: str) -> None:
    client = boto3.session.Session(region_name="us-east-1").client(
        service, aws_access_key_id="k", aws_secret_access_key="s"
    )
    shape = client.meta.service_model.operation_model(operation).output_shape
    body = sample(shape, itertools.count(1))
    fast = FastParserFactory().create_parser("rest-json")
    assert isinstance(fast, FastRestJSONParser)
    expected = parsers.create_parser("rest-json").parse(response(body), shape)
    got = fast.parse(response(body), shape)
    assert got == expected
    assert got != {"ResponseMetadata": got["ResponseMetadata"]}  # the body did parse


def test_errors_parse_as_botocore_parses_them() -> None:
    client = boto3.session.Session(region_name="us-east-1").client(
        "drs", aws_access_key_id="k", aws_secret_access_key="s"
    )
    model = client.meta.service_model
    answer = response({"message": "slow down", "serviceCode": "drs", "quotaCode": "q"})
    answer["status_code"] = 429
    answer["headers"]["x-amzn-errortype"] = "ThrottlingException"
    answer["headers"]["Retry-After"] = "7"
    standard, fast = (
        parsers.create_parser("rest-json"),
        FastParserFactory().create_parser("rest-json"),
    )
    output = model.operation_model("DescribeJobs").output_shape
    assert fast.parse(answer, output) == standard.parse(answer, output)
    assert fast.parse(answer, output)["Error"]["Code"] == "ThrottlingException"
    error = model.shape_for("ThrottlingException")  # the modeled members botocore adds
    got = fast._do_modeled_error_parse(answer, error)
    assert got == standard._do_modeled_error_parse(answer, error)
    assert got["retryAfterSeconds"] == "7"


def test_other_protocols_keep_botocore_parsers() -> None:
    parser = FastParserFactory().create_parser("ec2")
    assert type(parser) is parsers.EC2QueryParser


def test_the_drs_adapter_answers_through_the_fast_parser() -> None:
    client = boto3.session.Session(region_name="us-east-1").client(
        "drs", aws_access_key_id="k", aws_secret_access_key="s"
    )
    BotoDrsClient(client, Scope("123456789012", "us-east-1"))
    assert isinstance(client._endpoint._response_parser_factory, FastParserFactory)


def test_a_job_whose_servers_carry_only_strings_parses_as_botocore_parses_it() -> None:
    client = boto3.session.Session(region_name="us-east-1").client(
        "drs", aws_access_key_id="k", aws_secret_access_key="s"
    )
    shape = client.meta.service_model.operation_model("DescribeJobs").output_shape
    servers = [
        {"sourceServerID": "s-1", "launchStatus": "LAUNCHED", "recoveryInstanceID": "i-1"},
        {"sourceServerID": "s-2", "launchStatus": "PENDING", "recoveryInstanceID": None},
        {"sourceServerID": "s-3", "launchStatus": "PENDING", "unmodelled": "dropped"},
        {"sourceServerID": "s-4", "launchActionsStatus": {"ssmAgentDiscoveryDatetime": "x"}},
    ]
    job = {"jobID": "j-1", "type": "LAUNCH", "status": "STARTED"}
    body = {"items": [{**job, "participatingServers": servers}]}
    expected = parsers.create_parser("rest-json").parse(response(body), shape)
    got = FastParserFactory().create_parser("rest-json").parse(response(body), shape)
    assert got == expected
    parsed = got["items"][0]["participatingServers"]
    assert parsed[1] == {"sourceServerID": "s-2", "launchStatus": "PENDING"}  # null dropped
    assert "unmodelled" not in parsed[2]


def test_a_describe_jobs_answer_as_before_gets_the_last_parse_and_others_never_do() -> None:
    client = boto3.session.Session(region_name="us-east-1").client(
        "drs", aws_access_key_id="k", aws_secret_access_key="s"
    )
    model = client.meta.service_model
    jobs, config = (
        model.operation_model(o).output_shape for o in ("DescribeJobs", "GetLaunchConfiguration")
    )
    factory = FastParserFactory()
    servers = [{"sourceServerID": "s-1", "launchStatus": "IN_PROGRESS"}]
    body = {"items": [{"jobID": "j-1", "status": "STARTED", "participatingServers": servers}]}

    def parse(shape: Shape, answer: Any, request_id: str) -> Any:
        wire = response(answer)
        wire["headers"]["x-amzn-requestid"] = request_id
        return factory.create_parser("rest-json").parse(wire, shape)

    first, again = parse(jobs, body, "r-1"), parse(jobs, body, "r-2")
    assert again == {**first, "ResponseMetadata": again["ResponseMetadata"]}
    assert again["items"] is first["items"] and again is not first
    assert again["ResponseMetadata"]["RequestId"] == "r-2"  # from its own headers
    servers[0]["launchStatus"] = "LAUNCHED"
    later = parse(jobs, body, "r-3")
    assert later["items"][0]["participatingServers"][0]["launchStatus"] == "LAUNCHED"
    expected = parsers.create_parser("rest-json").parse(response(body), jobs)
    assert later["items"] == expected["items"]
    settings = {"sourceServerID": "s-1", "licensing": {"osByol": True}}
    one, two = parse(config, settings, "r-4"), parse(config, settings, "r-5")
    assert one["licensing"] == two["licensing"] and one["licensing"] is not two["licensing"]
