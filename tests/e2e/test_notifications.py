"""The Notifications page in headless Chromium: add a webhook, keep its secret, send a test.

The webhook points at a receiver in this test; the secret the page shows once must verify
the signature of the test notification that reaches it, and the delivery history shows
the attempt.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from drorch.domain.webhook_signature import verify
from tests.e2e.browser import check_page
from tests.e2e.console import sign_in
from tests.support.receivers import WebhookReceiver, webhook_receiver
from tests.support.server import RunningServer, running_server

NAME = "ops-hook-e2e"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, built_ui: None) -> Iterator[RunningServer]:
    with running_server(Path(tmp_path_factory.mktemp("notify"))) as running:
        yield running


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    with webhook_receiver() as receiver:
        yield receiver


def add_webhook(page: Page, url: str) -> str:
    """Add the channel through the form; the signing secret the page shows once."""
    page.get_by_role("button", name="Add channel").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill(NAME)
    dialog.get_by_label("URL").fill(url)
    dialog.get_by_role("button", name="Add channel").click()
    shown = page.get_by_role("dialog").get_by_text(re.compile("^whsec_"))
    expect(shown).to_be_visible()
    check_page(page, "notification-secret")
    secret = shown.inner_text().strip()
    page.get_by_role("button", name="Done").click()
    return secret


def test_admin_adds_a_webhook_and_sends_a_signed_test(
    page: Page, server: RunningServer, hook: WebhookReceiver
) -> None:
    sign_in(page, server.base_url, server.admin, path="/notifications")
    secret = add_webhook(page, hook.url)
    expect(page.get_by_text(f"Channel {NAME} added")).to_be_visible()
    page.get_by_role("radio", name=f"Select {NAME}").check()
    page.get_by_role("button", name="Send test").click()
    expect(page.get_by_text(f"Test sent over {NAME}")).to_be_visible()

    history = page.get_by_role("table", name="Delivery history")
    row = history.get_by_role("row", name=re.compile("^Select nt-"))
    expect(row.get_by_text("DELIVERED")).to_be_visible()
    row.get_by_role("radio").check()
    attempts = page.get_by_role("table", name="Attempts")
    expect(attempts.get_by_role("row", name=re.compile("Delivered.*200"))).to_be_visible()
    check_page(page, "notifications")

    arrived = hook.requests[0]
    assert arrived.json()["kind"] == "test"
    headers = arrived.headers
    assert verify(
        secret,
        headers["x-drorch-timestamp"],
        arrived.body,
        headers["x-drorch-signature"],
        now=time.time(),
    )
