"""Whatever it is sent, the sandbox answers a DRS-shaped error and never a 500."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drorch.sandbox.protocol import match, service_model
from tests.support.drs_model import check_response
from tests.support.sandbox import KEY, RunningSandbox

AUTH = f"AWS4-HMAC-SHA256 Credential={KEY}/20260101/us-east-1/drs/aws4_request, Signature=0"
OPERATIONS = [
    "/StartRecovery",
    "/DescribeSourceServers",
    "/DescribeJobs",
    "/DescribeJobLogItems",
    "/DescribeRecoveryInstances",
    "/TerminateRecoveryInstances",
    "/GetLaunchConfiguration",
    "/UpdateLaunchConfiguration",
    "/DescribeRecoverySnapshots",
    "/tags/arn%3Aaws%3Adrs%3Aus-east-1%3A123456789012%3Ajob%2Fdrsjob-1",
    "/CreateRecoveryPlan",
    "/nope",
]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=20), inner, max_size=4)
    ),
    max_leaves=20,
)
member_names = st.sampled_from(
    [
        "sourceServers",
        "sourceServerID",
        "filters",
        "maxResults",
        "nextToken",
        "jobID",
        "tags",
        "isDrill",
        "recoveryInstanceIDs",
        "order",
        "launchDisposition",
        "licensing",
    ]
)
drs_like = st.dictionaries(member_names, json_values, max_size=4).map(json.dumps)


@pytest.fixture(scope="module")
def http() -> Any:
    """One connection pool for all examples (a new client per request is slow)."""
    with httpx.Client(timeout=10) as client:
        yield client


bodies = st.one_of(st.binary(max_size=200), json_values.map(json.dumps), drs_like.map(str))


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    method=st.sampled_from(["POST", "GET", "DELETE", "PUT"]),
    path=st.sampled_from(OPERATIONS),
    body=bodies,
    query=st.sampled_from(["", "tagKeys=a", "tagKeys=&tagKeys=%ff", "x=1"]),
)
def test_garbage_never_crashes_the_sandbox(
    served: RunningSandbox, http: httpx.Client, method: str, path: str, body: Any, query: str
) -> None:
    content = body if isinstance(body, bytes) else body.encode()
    url = f"{served.url}{path}" + (f"?{query}" if query else "")
    response = http.request(method, url, content=content, headers={"Authorization": AUTH})
    assert response.status_code < 500, response.text
    found = match(method, path)
    if found is not None:
        model = service_model()
        operation = model.operation_model(found[0].name)
        problems = check_response(
            model, operation, response.status_code, response.headers, response.content
        )
        assert problems == [], problems
    else:
        assert response.headers["x-amzn-ErrorType"] == "ValidationException"
        assert response.json()["reason"] == "unknownOperation"


def test_unsigned_requests_are_access_denied(served: RunningSandbox) -> None:
    response = httpx.post(f"{served.url}/DescribeJobs", content=b"{}")
    assert response.status_code == 403
    assert response.headers["x-amzn-ErrorType"] == "AccessDeniedException"


def test_validator_rejects_responses_that_break_the_model() -> None:
    model = service_model()
    op = model.operation_model("DescribeJobs")
    good = json.dumps({"items": [{"jobID": "drsjob-12345678901234567", "status": "PENDING"}]})
    assert check_response(model, op, 200, {}, good.encode()) == []
    bad_cases = [
        {"items": [{"jobID": "drsjob-1", "status": "PENDING"}]},  # pattern and length
        {"items": [{"status": "DONE", "jobID": "drsjob-12345678901234567"}]},  # enum
        {"items": [{"status": "PENDING"}]},  # required jobID
        {"items": [{"jobID": "drsjob-12345678901234567", "colour": 1}]},  # unknown member
        {"items": {"jobID": "drsjob-12345678901234567"}},  # type
    ]
    for case in bad_cases:
        assert check_response(model, op, 200, {}, json.dumps(case).encode()) != []
    assert check_response(model, op, 201, {}, good.encode()) != []  # wrong success code
    headers = {"x-amzn-errortype": "ConflictException"}
    assert check_response(model, op, 400, headers, b'{"message": "x"}') != []
