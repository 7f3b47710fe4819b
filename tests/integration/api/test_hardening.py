"""Security headers on the UI's files, and CORS only for the configured origins."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.support.server import RunningServer, api_client, running_server

ALLOWED = "https://console.example.com"


def test_ui_files_carry_security_headers_and_cors_lists_only_its_origins(tmp_path: Path) -> None:
    ui = tmp_path / "ui"
    ui.mkdir()
    (ui / "index.html").write_text("<!doctype html><title>drorch</title>")
    env = {"DRORCH_FRONTEND_DIR": str(ui), "DRORCH_CORS_ORIGINS": f"{ALLOWED}, https://other.test"}
    with running_server(tmp_path / "data", env=env) as server, api_client(server) as http:
        page = http.get("/plans/new")
        assert page.status_code == 200 and "drorch" in page.text
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["referrer-policy"] == "no-referrer"
        asked = {"Origin": ALLOWED, "Access-Control-Request-Method": "POST"}
        preflight = http.options("/api/v1/protection-groups", headers=asked)
        assert preflight.headers["access-control-allow-origin"] == ALLOWED
        stranger = http.get("/api/v1/auth/me", headers={"Origin": "https://evil.test"})
        assert "access-control-allow-origin" not in stranger.headers


def test_without_configured_origins_the_api_is_same_origin_only(
    api: RunningServer, client: httpx.Client
) -> None:
    answer = client.get("/api/v1/auth/me", headers={"Origin": ALLOWED})
    assert answer.status_code == 200 and "access-control-allow-origin" not in answer.headers
    asked = {"Origin": ALLOWED, "Access-Control-Request-Method": "DELETE"}
    assert (
        "access-control-allow-origin" not in client.options("/api/v1/users", headers=asked).headers
    )
