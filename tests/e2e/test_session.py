"""A session that ends mid-work, in headless Chromium: the sign-in dialog opens over the
page, what was typed stays, and the save goes through once signed in again.

The session is ended the way a stolen refresh token would end it: the tab's refresh token
is used twice behind the UI's back, so the server's reuse detection revokes the whole
session (its access token included).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import SETTLED_JS, axe_violations, check_page, describe, screenshot
from tests.e2e.console import ACCOUNT, REGION, sign_in
from tests.e2e.servers import api, sandbox_server
from tests.support.server import RunningServer

GROUP = "typed-before-expiry"

# Use the tab's refresh token twice: the second use is a reuse and ends the session.
END_SESSION_JS = """async () => {
  const token = sessionStorage.getItem("drorch.refresh_token");
  const send = () => fetch("/api/v1/auth/refresh", {
    method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify({refresh_token: token}),
  });
  return [(await send()).status, (await send()).status];
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, built_ui: None) -> Iterator[RunningServer]:
    with sandbox_server(Path(tmp_path_factory.mktemp("session"))) as running:
        with api(running) as client:
            assert client.post("/api/v1/source-servers/sync").status_code == 200
        yield running


def fill_group_form(page: Page) -> None:
    page.get_by_label("Name", exact=True).fill(GROUP)
    page.get_by_label(re.compile("^AWS account")).fill(ACCOUNT)
    page.get_by_label(re.compile("^Region")).fill(REGION)
    page.get_by_label("Tag key 1").fill("Application")
    page.get_by_label("Tag value 1").fill("payroll")


def test_session_expiry_keeps_the_form(page: Page, server: RunningServer) -> None:
    sign_in(page, server.base_url, server.admin, path="/groups/new")
    expect(page.get_by_role("heading", name="Create protection group")).to_be_visible()
    assert page.evaluate(END_SESSION_JS) == [200, 401]

    fill_group_form(page)
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("Your session has ended")).to_be_visible()
    expect(dialog.get_by_label("Username")).to_have_value(server.admin.username)
    expect(page.get_by_label("Name", exact=True)).to_have_value(GROUP)
    # The form's preview waits behind the dialog with a spinner that never settles.
    page.wait_for_function(SETTLED_JS)
    screenshot(page, "session-ended")
    violations = axe_violations(page)
    assert not violations, describe(violations)

    dialog.get_by_label("Password").fill(server.admin.password)
    dialog.get_by_role("button", name="Sign in").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_label("Name", exact=True)).to_have_value(GROUP)
    expect(page.get_by_label("Tag value 1")).to_have_value("payroll")
    page.get_by_role("button", name="Create group").click()
    expect(page.get_by_text(f"Protection group {GROUP} saved")).to_be_visible()


def test_audit_and_users_pages_for_the_admin(page: Page, server: RunningServer) -> None:
    """A change made over the API shows in the audit log, filters narrow it; users listed."""
    body = {"name": "audited", "account_id": ACCOUNT, "region": REGION}
    with api(server) as client:
        selection = {"tags": {"Application": "storefront"}}
        created = client.post("/api/v1/protection-groups", json={**body, "selection": selection})
        assert created.status_code == 201, created.text
    sign_in(page, server.base_url, server.admin)
    page.get_by_role("link", name="Audit log").click()
    table = page.get_by_role("table", name="Audit log")
    expect(table.get_by_role("cell", name="group.create").first).to_be_visible()
    page.get_by_label("Filter by action").fill("auth.sign_in")
    expect(table.get_by_role("cell", name="auth.sign_in").first).to_be_visible()
    expect(table.get_by_role("cell", name="group.create")).to_have_count(0)
    check_page(page, "audit-log")

    page.get_by_role("link", name="Users").click()
    users = page.get_by_role("table", name="Users")
    expect(users.get_by_role("rowheader", name=server.admin.username)).to_be_visible()
    expect(users.get_by_role("rowheader", name="operator")).to_be_visible()
    check_page(page, "users")
