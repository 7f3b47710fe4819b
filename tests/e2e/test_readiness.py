"""Readiness in headless Chromium: an operator checks a plan whose server stalled.

The plan's only group selects the demo fleet's stalled storefront app server. The plan page
says it was never checked; "Check now" shows it not ready with the failing check; the plans
list and the dashboard then show it as not ready too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import check_page
from tests.e2e.console import ACCOUNT, sign_in
from tests.e2e.servers import OPERATOR, api, sandbox_server
from tests.support.server import RunningServer

PLAN = "stalled-storefront"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, built_ui: None) -> Iterator[RunningServer]:
    with sandbox_server(Path(tmp_path_factory.mktemp("readiness"))) as running:
        yield running


def seed_plan(server: RunningServer) -> dict[str, Any]:
    """Sync the inventory, then a plan over the stalled storefront app server's group."""
    with api(server) as http:
        assert http.post("/api/v1/source-servers/sync").status_code == 200
        group = {
            "name": "storefront-west-app",
            "account_id": ACCOUNT,
            "region": "us-west-2",
            "selection": {"tags": {"Application": "storefront", "Tier": "app"}},
        }
        made = http.post("/api/v1/protection-groups", json=group)
        assert made.status_code == 201, made.text
        body = {
            "name": PLAN,
            "waves": [{"name": "app", "protection_group_ids": [made.json()["id"]]}],
        }
        plan = http.post("/api/v1/recovery-plans", json=body)
        assert plan.status_code == 201, plan.text
        created: dict[str, Any] = plan.json()
        return created


def test_an_operator_checks_a_plan_and_sees_why_it_is_not_ready(
    page: Page, server: RunningServer
) -> None:
    plan = seed_plan(server)
    sign_in(page, server.base_url, server.users[OPERATOR], path=f"/plans/{plan['id']}/edit")
    panel = page.get_by_role("table", name="Readiness findings")
    expect(
        page.get_by_text("Run the checks to see whether this plan could run now.")
    ).to_be_visible()
    page.get_by_role("button", name="Check now").click()
    expect(page.get_by_text("Not ready (1 failing)")).to_be_visible()
    expect(panel.get_by_text("replication-unhealthy")).to_be_visible()
    expect(panel.get_by_text("replication is STALLED")).to_be_visible()
    check_page(page, "plan-readiness")

    page.goto(f"{server.base_url}/plans")
    row = page.get_by_role("row", name=f"Select {PLAN}")
    expect(row.get_by_text("Not ready (1 failing)")).to_be_visible()

    page.goto(f"{server.base_url}/")
    failing = page.get_by_role("table", name="Plans not ready")
    expect(failing.get_by_role("link", name=PLAN)).to_be_visible()
    expect(failing.get_by_text("replication", exact=True)).to_be_visible()
    check_page(page, "dashboard-not-ready")
