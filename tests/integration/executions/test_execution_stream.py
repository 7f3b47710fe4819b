"""GET /executions/{id}/stream: Server-Sent Events from the start to the end of a run."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

import httpx

from tests.integration.executions.conftest import EXECUTIONS, Lab

Message = tuple[str, dict[str, Any], str | None]


def messages(lines: Iterable[str]) -> Iterator[Message]:
    """(event, data, id) per SSE message; comments are dropped."""
    event, data, ident = "message", "", None
    for line in lines:
        if line == "":
            if data:
                yield event, json.loads(data), ident
            event, data, ident = "message", "", None
        elif line.startswith(":"):
            continue
        else:
            name, _, value = line.partition(": ")
            if name == "event":
                event = value
            elif name == "data":
                data += value
            elif name == "id":
                ident = value


def read_stream(
    lab: Lab, execution_id: str, headers: dict[str, str] | None = None
) -> list[Message]:
    """Every message until the server closes the stream."""
    url = f"{lab.url}{EXECUTIONS}/{execution_id}/stream"
    timeout = httpx.Timeout(10.0, read=60.0)
    sent = {**lab.server.auth_headers, **(headers or {})}
    with httpx.stream("GET", url, headers=sent, timeout=timeout) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        return list(messages(response.iter_lines()))


def test_stream_follows_a_drill_to_its_end(lab: Lab) -> None:
    plan = lab.plan([("web", ["payroll-us-west-2-web"])])
    execution_id = lab.start(plan["id"])["id"]
    with lab.pump():
        received = read_stream(lab, execution_id)
    kinds = [kind for kind, _, _ in received]
    assert kinds[-1] == "end" and kinds.count("end") == 1
    assert received[-1][1] == {"status": "COMPLETED", "cleanup_status": "NOT_STARTED"}
    snapshots = [data for kind, data, _ in received if kind == "execution"]
    assert snapshots and snapshots[-1]["status"] == "COMPLETED"
    assert snapshots[-1]["id"] == execution_id and snapshots[-1]["waves"][0]["name"] == "web"
    events = [(data, ident) for kind, data, ident in received if kind == "event"]
    seqs = [data["seq"] for data, _ in events]
    assert seqs == sorted(set(seqs)) and len(seqs) >= 4
    assert all(ident == str(data["seq"]) for data, ident in events)
    timeline = lab.http.get(f"{EXECUTIONS}/{execution_id}/events", params={"limit": 500})
    assert [e for e, _ in events] == timeline.json()["items"]


def test_stream_resumes_after_last_event_id(lab: Lab) -> None:
    plan = lab.plan([("db", ["storefront-us-west-2-db"])])
    execution_id = lab.start(plan["id"])["id"]
    lab.act(execution_id, "cancel")
    lab.finish(execution_id)
    everything = [d["seq"] for k, d, _ in read_stream(lab, execution_id) if k == "event"]
    later = read_stream(lab, execution_id, {"Last-Event-ID": str(everything[1])})
    assert [d["seq"] for k, d, _ in later if k == "event"] == everything[2:]
    assert later[-1][:2] == ("end", {"status": "CANCELLED", "cleanup_status": "NOT_STARTED"})
    after = f"{lab.url}{EXECUTIONS}/{execution_id}/stream?after={everything[-1]}"
    with httpx.stream("GET", after, headers=lab.server.auth_headers, timeout=30) as response:
        tail = list(messages(response.iter_lines()))
    assert [k for k, _, _ in tail] == ["execution", "end"]
