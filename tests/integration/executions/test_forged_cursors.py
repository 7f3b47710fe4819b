"""Forged or edited list cursors are a 422 naming `cursor` on every list endpoint, never a 500."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.conftest import problem
from tests.integration.executions.conftest import EXECUTIONS, Lab

SERVERS = "/api/v1/source-servers"
GROUPS = "/api/v1/protection-groups"
PLANS = "/api/v1/recovery-plans"


def unsigned(sort: str, value: Any, item_id: str = "x") -> str:
    """A cursor in the old, unsigned form: base64 of [sort, value, id]."""
    raw = json.dumps([sort, value, item_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# (sort the endpoint pages by, values that crashed SQLite or int() before cursors were checked)
FORGERIES = [
    ("hostname", {"a": 1}),
    ("hostname", [1, 2]),
    ("hostname", 2**70),
    ("seq", "abc"),
    ("seq", 1e300),
    ("-created_at", 2**70),
    ("name", None),
]


@pytest.fixture(scope="module")
def execution(lab: Lab) -> Iterator[dict[str, Any]]:
    """A started drill, for the events list; cancelled and cleaned up afterwards."""
    started = lab.start(lab.plan([("db", ["payroll-us-west-2-db"])])["id"])
    yield started
    cancel = lab.act(started["id"], "cancel", {"terminate_instances": True})
    assert cancel.status_code == 200, cancel.text
    lab.finish(started["id"])


def list_paths(execution: dict[str, Any]) -> list[str]:
    return [SERVERS, GROUPS, PLANS, EXECUTIONS, f"{EXECUTIONS}/{execution['id']}/events"]


@pytest.mark.parametrize(("sort", "value"), FORGERIES, ids=repr)
def test_forged_cursors_are_refused_everywhere(
    lab: Lab, execution: dict[str, Any], sort: str, value: Any
) -> None:
    for path in list_paths(execution):
        response = lab.http.get(path, params={"cursor": unsigned(sort, value)})
        body = problem(response, 422)
        assert [e["path"] for e in body["errors"]] == ["cursor"], (path, body)


def test_an_issued_cursor_pages_on_but_an_edited_one_is_refused(
    lab: Lab, execution: dict[str, Any]
) -> None:
    events = f"{EXECUTIONS}/{execution['id']}/events"
    lab.wait_job(execution["id"])  # by then the timeline holds several events
    for path in (SERVERS, GROUPS, events):
        first = lab.http.get(path, params={"limit": 1})
        assert first.status_code == 200, first.text
        cursor = first.json()["next_cursor"]
        assert cursor, path
        assert lab.http.get(path, params={"limit": 1, "cursor": cursor}).status_code == 200
        payload, _, signature = cursor.partition(".")
        decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        decoded[1] = {"a": 1}  # the value an attacker would put there
        edited = unsigned(*decoded) + "." + signature
        problem(lab.http.get(path, params={"cursor": edited}), 422)


def test_a_cursor_of_another_list_is_refused(lab: Lab, execution: dict[str, Any]) -> None:
    groups_cursor = lab.http.get(GROUPS, params={"limit": 1}).json()["next_cursor"]
    assert groups_cursor
    body = problem(lab.http.get(EXECUTIONS, params={"cursor": groups_cursor}), 422)
    assert "another sort order" in body["detail"]
