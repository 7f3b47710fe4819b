"""Reads that scale, through a real server: the header, server pages, the timeline, deltas."""

from __future__ import annotations

import threading
from typing import Any

from tests.integration.conftest import problem
from tests.integration.executions.conftest import EXECUTIONS, Lab
from tests.integration.executions.test_execution_stream import read_stream

SERVER_KEYS = {"source_server_id", "wave", "status", "launch_status", "job_id", "hostname"}


def test_header_pages_and_timeline_of_a_cleaned_up_drill(lab: Lab) -> None:
    plan = lab.plan([("db", ["storefront-us-east-1-db"]), ("app", ["storefront-us-east-1-app"])])
    execution_id = lab.start(plan["id"])["id"]
    lab.wait_job(execution_id)
    lab.advance()
    done = lab.finish(execution_id)
    header = lab.http.get(f"{EXECUTIONS}/{execution_id}")
    assert header.headers["etag"] == f'"{done["version"]}"'
    assert all("servers" not in w for w in header.json()["waves"])
    servers = lab.servers(execution_id)
    assert len(servers) == done["server_count"] == sum(done["counts"].values())
    assert [w["server_count"] for w in done["waves"]] == [
        len([s for s in servers if s["wave"] == w["name"]]) for w in done["waves"]
    ]
    # One server per page walks the same list in the same (plan) order.
    assert lab.servers(execution_id, limit=1) == servers
    first = servers[0]
    found = lab.servers(execution_id, search=first["hostname"].upper())
    assert first in found and all(first["hostname"] in s["hostname"] for s in found)
    assert lab.servers(execution_id, status="FAILED") == []
    assert lab.servers(execution_id, status=["LAUNCHED", "FAILED"]) == servers
    assert lab.servers(execution_id, account_id="999999999999") == []

    assert lab.act(execution_id, "terminate-instances").status_code == 200
    cleaned = lab.finish(execution_id)
    timeline = lab.http.get(f"{EXECUTIONS}/{execution_id}/timeline")
    assert timeline.headers["etag"] == f'"{cleaned["version"]}"'
    body = timeline.json()
    assert [w["name"] for w in body["waves"]] == ["db", "app"]
    for wave, read in zip(body["waves"], cleaned["waves"], strict=True):
        assert wave["counts"] == read["counts"] == {"TERMINATED": read["server_count"]}
        assert sum(j["server_count"] for j in wave["jobs"]) == read["server_count"]
        assert all(j["started_at"] <= j["ended_at"] for j in wave["jobs"])
    (cleanup,) = body["cleanup_jobs"]
    assert cleanup["kind"] == "TERMINATE" and cleanup["server_count"] == len(servers)


def test_bad_page_queries_are_refused(lab: Lab) -> None:
    plan = lab.plan([("web", ["payroll-us-west-2-web"])])
    execution_id = lab.start(plan["id"])["id"]
    path = f"{EXECUTIONS}/{execution_id}/servers"
    page = lab.http.get(path, params={"limit": 1}).json()
    assert page["next_cursor"]
    forged = problem(lab.http.get(path, params={"cursor": page["next_cursor"] + "x"}), 422)
    assert forged["errors"][0]["path"] == "cursor"
    elsewhere = f"{EXECUTIONS}/{execution_id}/jobs"
    problem(lab.http.get(elsewhere, params={"cursor": page["next_cursor"]}), 422)
    assert problem(lab.http.get(path, params={"status": "DONE"}), 422)["errors"]
    problem(lab.http.get(path, params={"limit": 501}), 422)
    problem(lab.http.get(path, params={"sort": "hostname"}), 422)
    lab.act(execution_id, "cancel")
    lab.finish(execution_id)


def test_the_stream_sends_the_header_then_only_servers_that_changed(lab: Lab) -> None:
    plan = lab.plan([("db", ["payroll-us-west-2-db"]), ("app", ["payroll-us-west-2-app"])])
    execution_id = lab.start(plan["id"])["id"]
    lab.wait_job(execution_id)  # the sandbox clock stands still: nothing moves until pumped
    version = lab.get(execution_id)["version"]
    known = {s["source_server_id"]: s for s in lab.servers(execution_id)}
    received: list[tuple[str, dict[str, Any], str | None]] = []
    reader = threading.Thread(target=lambda: received.extend(read_stream(lab, execution_id)))
    reader.start()
    with lab.pump():
        reader.join(60)
    assert not reader.is_alive()
    headers = [data for kind, data, _ in received if kind == "execution"]
    assert headers[0]["version"] == version and headers[-1]["finished"] is True
    assert all("servers" not in w for h in headers for w in h["waves"])
    deltas = [data for kind, data, _ in received if kind == "servers"]
    assert deltas, [kind for kind, _, _ in received]
    for delta in deltas:
        for server in delta["items"]:
            before = known[server["source_server_id"]]
            assert server != before  # only servers whose state changed are sent
            assert set(server) >= SERVER_KEYS
            known[server["source_server_id"]] = server
    # Applying the deltas to the page read before the stream gives what the API says now.
    assert list(known.values()) == lab.servers(execution_id)
    assert sum(headers[-1]["counts"].values()) == len(known)
