"""Browser-facing guards: Host names, same-origin writes, JSON content types, CORS, headers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.conftest import problem
from tests.support.server import RunningServer, api_client, running_server

SYNC = "/api/v1/source-servers/sync"
GROUPS = "/api/v1/protection-groups"
FORM = "application/x-www-form-urlencoded"
CONSOLE = "http://console.example"
INDEX = "<!doctype html><title>ui</title><script type=module src=/assets/app.js></script>"


def own_origin(api: RunningServer) -> str:
    return f"http://127.0.0.1:{api.port}"


# -- Host names (DNS rebinding) ------------------------------------------------------


@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "127.0.0.1.nip.io", ""])
def test_foreign_host_names_are_refused(client: httpx.Client, host: str) -> None:
    body = problem(client.get("/health", headers={"Host": host}), 400)
    assert body["type"] == "urn:drorch:problem:host-not-allowed"


def test_the_default_host_names_are_served(client: httpx.Client, api: RunningServer) -> None:
    for host in (f"127.0.0.1:{api.port}", f"localhost:{api.port}", "LOCALHOST", "[::1]:1"):
        assert client.get("/health", headers={"Host": host}).status_code == 200, host


# -- Origin and content type of state-changing requests -------------------------------


def test_a_foreign_origin_cannot_change_state(client: httpx.Client) -> None:
    for origin in ("http://evil.example", "null", "http://127.0.0.1:1"):
        body = problem(client.post(SYNC, headers={"Origin": origin}), 403)
        assert body["type"] == "urn:drorch:problem:origin-not-allowed"
    group = {"name": "x", "account_id": "111122223333", "region": "us-east-1"}
    problem(client.post(GROUPS, json=group, headers={"Origin": "http://evil.example"}), 403)


def test_the_own_origin_or_none_passes(client: httpx.Client, api: RunningServer) -> None:
    # This server has no DRS: a sync that passes the guards is refused with 409.
    problem(client.post(SYNC, headers={"Origin": own_origin(api)}), 409)
    problem(client.post(SYNC), 409)
    # Behind a proxy that ends TLS, the browser's https origin names the same host.
    problem(client.post(SYNC, headers={"Origin": f"https://127.0.0.1:{api.port}"}), 409)


def test_reads_are_not_held_to_the_origin_rule(client: httpx.Client) -> None:
    assert client.get(GROUPS, headers={"Origin": "http://evil.example"}).status_code == 200


@pytest.mark.parametrize("content_type", [FORM, "text/plain", "multipart/form-data; b=x", ""])
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_writes_without_a_json_type_are_415(
    client: httpx.Client, method: str, content_type: str
) -> None:
    path = SYNC if method == "POST" else f"{GROUPS}/pg-000000000000"
    response = client.request(method, path, headers={"Content-Type": content_type})
    body = problem(response, 415)
    assert "application/json" in body["detail"]


def test_json_types_with_parameters_are_accepted(client: httpx.Client) -> None:
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        problem(client.post(SYNC, headers={"Content-Type": content_type}), 409)


def test_the_sign_in_form_is_exempt_from_the_json_rule_only(client: httpx.Client) -> None:
    token = "/api/v1/auth/token"
    form = {"username": "u", "password": "p"}
    assert client.post(token, data=form).status_code != 415
    problem(client.post(token, data=form, headers={"Origin": "http://evil.example"}), 403)


# -- CORS and security headers ---------------------------------------------------------


def test_cors_is_off_by_default(client: httpx.Client) -> None:
    preflight = client.options(
        GROUPS,
        headers={"Origin": CONSOLE, "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    plain = client.get(GROUPS, headers={"Origin": CONSOLE})
    assert "access-control-allow-origin" not in plain.headers


def test_every_answer_carries_the_security_headers(client: httpx.Client) -> None:
    for response in (client.get("/health"), client.get("/api/docs"), client.post(SYNC)):
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"


# -- a server with configured host names, CORS origins and a UI -------------------------


@pytest.fixture(scope="module")
def configured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server answering for drorch.internal (and 127.0.0.1), with CORS and a small UI."""
    root: Path = tmp_path_factory.mktemp("configured")
    ui = root / "ui"
    (ui / "assets").mkdir(parents=True)
    (ui / "index.html").write_text(INDEX)
    (ui / "assets" / "app.js").write_text("console.log('ui');\n")
    env = {
        "DRORCH_ALLOWED_HOSTS": "drorch.internal, 127.0.0.1",
        "DRORCH_CORS_ORIGINS": CONSOLE,
        "DRORCH_FRONTEND_DIR": str(ui),
    }
    with running_server(root / "data", env=env) as server:
        yield server


def test_configured_host_names_replace_the_defaults(configured: RunningServer) -> None:
    with api_client(configured) as http:
        assert http.get("/health", headers={"Host": "drorch.internal:8443"}).status_code == 200
        problem(http.get("/health", headers={"Host": "localhost"}), 400)


def test_a_configured_origin_may_call_across_origins(configured: RunningServer) -> None:
    with api_client(configured) as http:
        preflight = http.options(
            GROUPS,
            headers={"Origin": CONSOLE, "Access-Control-Request-Method": "POST"},
        )
        assert preflight.headers["access-control-allow-origin"] == CONSOLE
        # Past the guards: this server has no DRS, so the sync itself is refused.
        problem(http.post(SYNC, headers={"Origin": CONSOLE}), 409)
        problem(http.post(SYNC, headers={"Origin": "http://evil.example"}), 403)


def test_the_console_origin_may_send_its_bearer_token(configured: RunningServer) -> None:
    """The UI on CloudFront calls the API on another origin with Authorization (Cognito)."""
    with api_client(configured) as http:
        preflight = http.options(
            GROUPS,
            headers={
                "Origin": CONSOLE,
                "Access-Control-Request-Method": "PUT",
                "Access-Control-Request-Headers": "authorization, content-type, if-match",
            },
        )
        assert preflight.status_code == 200, preflight.text
        allowed = {
            h.strip().lower() for h in preflight.headers["access-control-allow-headers"].split(",")
        }
        assert {"authorization", "content-type", "if-match"} <= allowed
        assert "PUT" in preflight.headers["access-control-allow-methods"]
        answer = http.get(GROUPS, headers={"Origin": CONSOLE})
        assert answer.status_code == 200
        assert answer.headers["access-control-allow-origin"] == CONSOLE
        assert "etag" in answer.headers["access-control-expose-headers"].lower()


def test_ui_files_and_routes_carry_the_security_headers(configured: RunningServer) -> None:
    with api_client(configured) as http:
        for path, kind in (("/", "text/html"), ("/plans", "text/html"), ("/assets/app.js", "java")):
            response = http.get(path)
            assert response.status_code == 200 and kind in response.headers["content-type"]
            assert "default-src 'self'" in response.headers["content-security-policy"]
            assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "path", ["/%00", "/index.html%00.js", "/assets/%00", f"/{'a' * 300}", f"/x/{'b' * 256}.js"]
)
def test_impossible_file_names_are_404_problems(configured: RunningServer, path: str) -> None:
    with api_client(configured) as http:
        body = problem(http.get(path), 404)
        assert body["type"] == "urn:drorch:problem:not-found"
