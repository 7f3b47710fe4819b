"""Live streams are bounded: positions checked up front, caps per client and in all, idle end."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from tests.integration.conftest import problem
from tests.integration.executions.conftest import EXECUTIONS, Lab, sample_groups
from tests.support.server import RunningServer, api_client, running_server

STREAM_TIMEOUT = httpx.Timeout(10.0, read=30.0)
LIMITS = {
    "DRORCH_SANDBOX_CLOCK": "virtual",  # jobs never finish: the execution stays open
    "DRORCH_STREAM_MAX_PER_CLIENT": "2",
    "DRORCH_STREAM_MAX_TOTAL": "3",
    "DRORCH_STREAM_IDLE_SECONDS": "2",
    "DRORCH_STREAM_KEEPALIVE_SECONDS": "0.5",
}


@pytest.mark.parametrize(
    ("params", "headers", "names"),
    [
        ({"after": str(2**63)}, {}, "after"),
        ({"after": "99999999999999999999"}, {}, "after"),
        ({}, {"Last-Event-ID": "99999999999999999999"}, "Last-Event-ID"),
        ({}, {"Last-Event-ID": str(2**63)}, "Last-Event-ID"),
    ],
)
def test_out_of_range_positions_are_refused_before_the_stream_starts(
    lab: Lab, params: dict[str, str], headers: dict[str, str], names: str
) -> None:
    execution_id = lab.start(lab.plan([("web", ["storefront-us-east-1-web"])])["id"])["id"]
    try:
        path = f"{EXECUTIONS}/{execution_id}/stream"
        response = lab.http.get(path, params=params, headers=headers)
        body = problem(response, 422)
        assert [e["path"] for e in body["errors"]] == [names]
    finally:
        lab.act(execution_id, "cancel", {"terminate_instances": True})
        lab.finish(execution_id)


@pytest.fixture(scope="module")
def capped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, str]]:
    """A server with small stream caps and a drill that stays open."""
    data_dir: Path = tmp_path_factory.mktemp("capped")
    with running_server(data_dir, args=["--sandbox"], env=LIMITS) as server:
        with api_client(server) as http:
            assert http.post("/api/v1/source-servers/sync").status_code == 200
            group = sample_groups(http)["payroll-us-west-2-db"]
            waves = [{"name": "db", "protection_group_ids": [group]}]
            plan = http.post("/api/v1/recovery-plans", json={"name": "capped", "waves": waves})
            started = http.post(EXECUTIONS, json={"plan_id": plan.json()["id"], "type": "DRILL"})
            assert started.status_code == 201, started.text
        yield server, f"{EXECUTIONS}/{started.json()['id']}/stream"


def open_stream(stack: ExitStack, http: httpx.Client, path: str) -> httpx.Response:
    """A stream opened on `http` and kept open until the stack closes."""
    return stack.enter_context(http.stream("GET", path))


def test_streams_are_capped_per_client_and_in_all(capped: tuple[RunningServer, str]) -> None:
    server, path = capped
    with ExitStack() as stack:
        first = stack.enter_context(api_client(server, timeout=STREAM_TIMEOUT))
        other = stack.enter_context(
            api_client(server, timeout=STREAM_TIMEOUT, local_address="127.0.0.2")
        )
        assert [open_stream(stack, first, path).status_code for _ in range(2)] == [200, 200]
        refused = open_stream(stack, first, path)
        refused.read()
        assert "this client holds 2" in problem(refused, 429)["detail"]
        assert refused.headers["retry-after"] == "5"
        assert open_stream(stack, other, path).status_code == 200  # another client: room left
        full = open_stream(stack, other, path)
        full.read()
        assert "3 live streams are open" in problem(full, 429)["detail"]
    # Closed streams give their slots back, as soon as the server has seen the disconnects.
    assert reopened(server, path, streams=2)


def reopened(server: RunningServer, path: str, streams: int) -> bool:
    """True once `streams` streams can be open again from one client."""
    deadline = time.monotonic() + 10.0
    while time.monotonic() < deadline:
        with ExitStack() as stack:
            http = stack.enter_context(api_client(server, timeout=STREAM_TIMEOUT))
            codes = [open_stream(stack, http, path).status_code for _ in range(streams)]
        if codes == [200] * streams:
            return True
        time.sleep(0.1)
    return False


def test_an_idle_stream_sends_keep_alives_then_ends(capped: tuple[RunningServer, str]) -> None:
    server, path = capped
    with api_client(server, timeout=STREAM_TIMEOUT) as http, http.stream("GET", path) as stream:
        assert stream.status_code == 200
        lines = list(stream.iter_lines())  # returns only because the server ends the stream
    comments = [line for line in lines if line.startswith(":")]
    assert ": keep-alive" in comments
    assert comments[-1] == ": idle"
    assert not any(line == "event: end" for line in lines)
