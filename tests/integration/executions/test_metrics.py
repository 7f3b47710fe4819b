"""/metrics and the JSON logs of a real server after a drill with a failed launch."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from drorch.domain.identity import Role
from tests.integration.executions.conftest import FailedDrill, Lab
from tests.support.server import api_client, ensure_user, sign_in

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(http: httpx.Client) -> Samples:
    """Every sample of /metrics, keyed by name and labels."""
    response = http.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_metrics_after_a_drill_show_its_executions_launches_and_calls(
    lab: Lab, failed_drill: FailedDrill
) -> None:
    execution = failed_drill.execution
    samples = scrape(lab.http)
    status = execution["status"]
    assert value(samples, "drorch_executions", type="DRILL", status=status) >= 1
    assert value(samples, "drorch_executions_finished_total", type="DRILL", status=status) >= 1
    servers = lab.servers(execution["id"])
    launched = [s for s in servers if s["launch_status"] in ("LAUNCHED", "FAILED")]
    failed = [s for s in launched if s["launch_status"] == "FAILED"]
    assert failed and len(failed) < len(launched)
    count = "drorch_launch_duration_seconds_count"
    assert value(samples, count, type="DRILL", outcome="FAILED") >= len(failed)
    assert value(samples, count, type="DRILL", outcome="LAUNCHED") >= len(launched) - len(failed)
    for operation in ("StartRecovery", "DescribeJobs", "TerminateRecoveryInstances"):
        assert value(samples, "drorch_aws_calls_total", service="drs", operation=operation) >= 1
    route = "/api/v1/executions/{execution_id}"
    requests = "drorch_api_request_duration_seconds_count"
    assert value(samples, requests, method="GET", route=route, status="200") >= 1
    # Route templates, never raw paths: no label names the execution itself.
    assert not [key for key in samples if execution["id"] in str(key)]
    assert ("drorch_engine_queue_depth", frozenset()) in samples
    assert value(samples, "drorch_engine_runner_lag_seconds") >= 0


def test_metrics_need_a_token_and_a_viewer_may_scrape(lab: Lab) -> None:
    bare = httpx.get(f"{lab.url}/metrics")
    assert bare.status_code == 401
    assert bare.headers["content-type"].startswith("application/problem+json")
    viewer = ensure_user(lab.server.data_dir, "scraper", Role.VIEWER)
    token = sign_in(lab.url, viewer)
    with api_client(lab.server, token=token) as http:
        assert "drorch_executions" in http.get("/metrics").text


def json_lines(text: str) -> list[dict[str, Any]]:
    lines = []
    for line in text.splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def test_json_logs_carry_request_execution_and_principal(
    lab: Lab, failed_drill: FailedDrill
) -> None:
    answer = lab.http.get("/api/v1/executions", headers={"X-Request-ID": "logs-test-1"})
    assert answer.headers["x-request-id"] == "logs-test-1"
    generated = lab.http.get("/api/v1/executions").headers["x-request-id"]
    log = lab.server.log()
    lines = json_lines(log)
    assert lines, log[-2000:]
    for line in lines:
        assert {
            "time",
            "level",
            "logger",
            "message",
            "request_id",
            "execution_id",
            "principal",
        } <= set(line)
    access = [line for line in lines if line["request_id"] == "logs-test-1"]
    assert access and access[0]["principal"] == "admin"
    assert access[0]["route"] == "/api/v1/executions" and access[0]["status"] == 200
    # The access line is written once the answer is sent, so it may trail the response a little.
    for _ in range(50):
        if any(line["request_id"] == generated for line in json_lines(lab.server.log())):
            break
        time.sleep(0.1)
    else:
        raise AssertionError(f"no log line carries the generated request id {generated}")
    engine = [line for line in lines if line["execution_id"] == failed_drill.execution["id"]]
    assert any("RUNNING" in line["message"] for line in engine), engine
    # No token, access or refresh, ever reaches the log.
    assert lab.server.token not in log and "Bearer" not in log
