"""The console and the API docs work under the strict Content-Security-Policy, offline."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.console import sign_in
from tests.e2e.servers import sandbox_server
from tests.support.server import RunningServer

SYNC_OPERATION = "sync_source_servers_api_v1_source_servers_sync_post"
# Collected in the page, so violations the console does not print are caught too.
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, built_ui: None) -> Iterator[RunningServer]:
    with sandbox_server(Path(tmp_path_factory.mktemp("csp"))) as running:
        yield running


def violations(page: Page) -> list[str]:
    found: list[str] = page.evaluate("window.__violations")
    return found


def test_the_console_runs_under_the_policy(page: Page, server: RunningServer) -> None:
    page.add_init_script(WATCH_VIOLATIONS)
    outside: list[str] = []
    page.on(
        "request", lambda r: None if r.url.startswith(server.base_url) else outside.append(r.url)
    )
    response = page.goto(f"{server.base_url}/servers")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    sign_in(page, server.base_url, server.admin, path="/servers")
    page.get_by_role("button", name="Sync from DRS").click()  # a bodiless POST
    expect(page.get_by_text("Inventory synced")).to_be_visible()
    for path in ("/groups", "/plans", "/executions", "/groups/new"):
        page.goto(f"{server.base_url}{path}")
        expect(page.get_by_role("heading").first).to_be_visible()
        assert violations(page) == [], path
    assert outside == []


def test_the_api_docs_render_from_this_server_only(page: Page, server: RunningServer) -> None:
    page.add_init_script(WATCH_VIOLATIONS)
    outside: list[str] = []
    page.on(
        "request", lambda r: None if r.url.startswith(server.base_url) else outside.append(r.url)
    )
    page.goto(f"{server.base_url}/api/docs")
    # Swagger UI draws every operation before the first shows: allow for a growing API.
    expect(page.locator(".opblock").first).to_be_visible(timeout=15_000)
    expect(page.get_by_text("/api/v1/protection-groups").first).to_be_visible()
    assert violations(page) == []
    assert outside == []
    authorize(page, server.token)
    try_bodiless_post(page)


def authorize(page: Page, token: str) -> None:
    """Give the docs page a bearer token through its Authorize dialog, as a person would."""
    page.locator(".auth-wrapper button.authorize").click()
    page.locator("#auth-bearer-value").fill(token)
    bearer = page.locator("form").filter(has=page.locator("#auth-bearer-value"))
    bearer.get_by_role("button", name="Apply credentials").click()
    page.get_by_role("button", name="Close").first.click()


def try_bodiless_post(page: Page) -> None:
    """ "Try it out" on the sync: the docs send the JSON type the API wants on every write."""
    block = page.locator(f"#operations-source_servers-{SYNC_OPERATION}")
    block.locator(".opblock-summary").click()
    block.get_by_role("button", name="Try it out").click()
    with page.expect_response(lambda r: r.url.endswith("/source-servers/sync")) as answer:
        block.get_by_role("button", name="Execute").click()
    assert answer.value.status == 200
    assert answer.value.request.headers["content-type"] == "application/json"
