"""Roles in the console, in headless Chromium: an operator may drill but not recover.

The admin prepares a plan over the API; the operator signs in through the sign-in page
(after one wrong password), sees "Start recovery" disabled with the permission it needs,
starts a drill, and signs out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import check_page
from tests.e2e.console import ACCOUNT, REGION, execution_status, sign_in, sign_out, user_menu
from tests.e2e.servers import OPERATOR, api, sandbox_server
from tests.support.server import Credentials, RunningServer

PLAN = "storefront-roles"
RECOVERY_REASON = "Needs the recovery_manager role (permission recoveries:start)"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, built_ui: None) -> Iterator[RunningServer]:
    with sandbox_server(Path(tmp_path_factory.mktemp("roles"))) as running:
        prepare_plan(running)
        yield running


@pytest.fixture(scope="module")
def operator(server: RunningServer) -> Credentials:
    return server.users[OPERATOR]


def created(response: Any) -> Any:
    assert response.status_code == 201, response.text
    return response.json()


def prepare_plan(server: RunningServer) -> None:
    """As the admin: sync the inventory, one group by tags, a one-wave plan."""
    with api(server) as client:
        assert client.post("/api/v1/source-servers/sync").status_code == 200
        selection = {"tags": {"Application": "storefront", "Tier": "db"}}
        group = created(
            client.post(
                "/api/v1/protection-groups",
                json={
                    "name": "roles-db",
                    "account_id": ACCOUNT,
                    "region": REGION,
                    "selection": selection,
                },
            )
        )
        wave = {"name": "databases", "protection_group_ids": [group["id"]]}
        created(client.post("/api/v1/recovery-plans", json={"name": PLAN, "waves": [wave]}))


def wrong_password_first(page: Page, base: str, who: Credentials) -> None:
    page.goto(base)
    check_page(page, "sign-in")
    page.get_by_label("Username").fill(who.username)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("The username or password is not right.")).to_be_visible()
    check_page(page, "sign-in-failed")


def test_operator_drills_but_may_not_recover(
    page: Page, server: RunningServer, operator: Credentials
) -> None:
    base = server.base_url
    wrong_password_first(page, base, operator)
    sign_in(page, base, operator, path="/plans")
    expect(user_menu(page)).to_have_accessible_name(re.compile("Operator$"))
    expect(page.get_by_role("link", name="Create plan").first).to_have_attribute(
        "aria-disabled", "true"
    )
    page.get_by_role("radio", name=f"Select {PLAN}").check()
    page.get_by_role("link", name="Start execution").click()
    expect(page.get_by_text("The plan is valid.")).to_be_visible()

    page.get_by_text("Recovery", exact=True).click()
    page.get_by_label("Plan name to confirm").fill(PLAN)
    start_recovery = page.get_by_role("button", name="Start recovery")
    expect(start_recovery).to_be_disabled()
    expect(start_recovery).to_have_accessible_description(RECOVERY_REASON)
    expect(page.get_by_test_id("start-denied")).to_have_text(RECOVERY_REASON)
    check_page(page, "start-recovery-operator")

    page.get_by_text("Drill", exact=True).click()
    page.get_by_role("button", name="Start drill").click()
    expect(page).to_have_url(re.compile(r"/executions/ex-"))
    expect(execution_status(page)).to_contain_text(re.compile("PENDING|RUNNING|COMPLETED"))
    check_page(page, "execution-operator")

    user_menu(page).click()
    check_page(page, "user-menu")
    page.keyboard.press("Escape")
    sign_out(page)
    page.goto(f"{base}/plans")
    expect(page.get_by_role("heading", name="Sign in to drorch")).to_be_visible()
