"""GET /health: liveness is 200 while degraded; `?ready` is 503 until DRS and the runner work."""

from __future__ import annotations

from pathlib import Path

import httpx

from drorch.api.app import create_app
from drorch.bootstrap import bootstrap
from drorch.config import Settings
from tests.support.sandbox import running_sandbox, serve_app


def test_without_drs_liveness_is_degraded_and_readiness_refuses(client: httpx.Client) -> None:
    live = client.get("/health")
    assert live.status_code == 200
    body = live.json()
    assert body["status"] == "degraded" and body["ready"] is False
    assert body["checks"]["store"] == {"status": "ok"}
    assert body["checks"]["drs"]["status"] == "not configured"
    assert any(r.startswith("drs: DRS is not configured") for r in body["reasons"])
    assert any(r.startswith("runner: ") for r in body["reasons"])
    ready = client.get("/health", params={"ready": ""})
    assert ready.status_code == 503
    assert ready.json()["reasons"] == body["reasons"]


def test_ready_once_drs_answers_and_the_runner_runs_then_not_when_it_stops(tmp_path: Path) -> None:
    with running_sandbox(clock="virtual") as sb:
        container = bootstrap(Settings(data_dir=tmp_path, drs_endpoint_url=sb.url))
        assert container.runner is not None
        with serve_app(create_app(container)) as url, httpx.Client(base_url=url) as http:
            ready = http.get("/health?ready")
            assert ready.status_code == 200, ready.text
            assert ready.json()["status"] == "ok" and ready.json()["reasons"] == []
            assert ready.json()["checks"]["runner"] == {"status": "ok"}
            container.runner.stop()
            assert http.get("/health?ready").status_code == 503
            live = http.get("/health")
            assert live.status_code == 200 and live.json()["status"] == "degraded"
            assert live.json()["reasons"] == ["runner: the engine runner is not running"]


def test_a_runner_turned_off_for_a_worker_does_not_block_readiness(tmp_path: Path) -> None:
    with running_sandbox(clock="virtual") as sb:
        settings = Settings(data_dir=tmp_path, drs_endpoint_url=sb.url, runner_enabled=False)
        container = bootstrap(settings)
        with serve_app(create_app(container)) as url, httpx.Client(base_url=url) as http:
            ready = http.get("/health", params={"ready": "1"})
            assert ready.status_code == 200, ready.text
            assert ready.json()["checks"]["runner"]["status"] == "disabled"
