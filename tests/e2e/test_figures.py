"""Print the UI figures (bundle size, 1,000-server detail render); nothing here is timed."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.ui_figures import (
    BENCH_EXECUTION,
    bundle_sizes,
    render_times,
    report,
    serve_big_execution,
)
from playwright.sync_api import Page, expect

from tests.e2e.browser import check_page
from tests.e2e.console import sign_in
from tests.support.server import running_server


def test_large_execution_page_and_figures(
    page: Page, tmp_path: Path, built_ui: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with running_server(tmp_path / "data") as server:
        # Signed in once, the tab's refresh token carries the session across page loads.
        sign_in(page, server.base_url, server.admin)
        render = render_times(page, server.base_url)
        serve_big_execution(page)
        page.goto(f"{server.base_url}/executions/{BENCH_EXECUTION}")
        expect(page.get_by_test_id("execution-status")).to_contain_text("COMPLETED")
        expect(page.get_by_text("Servers (1000)")).to_be_visible()
        check_page(page, "execution-1000-servers")
    with capsys.disabled():
        print("\n" + report(bundle_sizes(), render))
