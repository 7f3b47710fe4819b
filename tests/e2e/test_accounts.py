"""The Target accounts page in headless Chromium: an admin registers an account and verifies it.

An account outside the sandbox fleet is registered through the form (default role, one
Region) and its verification fails; the fleet's account (registered by the test server)
verifies; each result appears below the table.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import check_page
from tests.e2e.console import ACCOUNT, REGION, sign_in
from tests.e2e.servers import sandbox_server
from tests.support.server import RunningServer

NAME = "outside-e2e"
OUTSIDE = "555566667777"  # no sandbox fleet has it: no way in


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, built_ui: None) -> Iterator[RunningServer]:
    with sandbox_server(Path(tmp_path_factory.mktemp("accounts"))) as running:
        yield running


def register(page: Page) -> None:
    """Fill the register form: id, name, the default role, one Region."""
    page.get_by_role("button", name="Register account").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Account id").fill("1234")
    expect(dialog.get_by_text("Exactly 12 digits.")).to_be_visible()
    dialog.get_by_label("Account id").fill(OUTSIDE)
    dialog.get_by_label("Name").fill(NAME)
    dialog.get_by_role("button", name=re.compile("^Regions")).click()
    page.get_by_role("option", name=REGION, exact=True).click()
    page.keyboard.press("Escape")
    check_page(page, "register-account")
    dialog.get_by_role("button", name="Register account").click()
    expect(page.get_by_text(f"Account {NAME} registered")).to_be_visible()


def verify(page: Page, name: str) -> None:
    page.get_by_role("radio", name=f"Select {name}").check()
    page.get_by_role("button", name="Verify", exact=True).click()


def test_admin_registers_and_verifies_accounts(page: Page, server: RunningServer) -> None:
    sign_in(page, server.base_url, server.admin, path="/accounts")
    register(page)
    row = page.get_by_role("row", name=re.compile(f"^Select {NAME} "))
    expect(row.get_by_text("UNVERIFIED")).to_be_visible()
    expect(row.get_by_text(f"arn:aws:iam::{OUTSIDE}:role/drorch-target")).to_be_visible()
    expect(page.get_by_role("button", name="Copy External id")).to_be_visible()
    expect(page.get_by_text(re.compile("^aws cloudformation deploy "))).to_be_visible()

    verify(page, NAME)
    expect(page.get_by_text(f"{NAME} failed verification")).to_be_visible()
    expect(row.get_by_text("FAILED", exact=True)).to_be_visible()
    check_page(page, "account-failed")

    fleet = f"test-{ACCOUNT}"
    verify(page, fleet)
    expect(page.get_by_text(f"{fleet} verified")).to_be_visible()
    regions = page.get_by_role("table", name="Verification by Region")
    expect(regions.get_by_role("row", name=re.compile(f"{REGION}.*Reachable"))).to_be_visible()
    check_page(page, "account-verified")
