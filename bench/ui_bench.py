"""UI figures: built JS+CSS size (gzipped) and the render time of a 1,000-server execution.

Starts `drorch serve` (no sandbox needed: the execution is answered from memory by the
browser's request routing) and headless Chromium (/usr/bin/chromium). Prints the figures
and writes bench/results/ui.json. Targets: <= 1 MiB gzipped, <= 500 ms render.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, FRONTEND_DIST  # noqa: E402
from tests.e2e.console import sign_in  # noqa: E402
from tests.e2e.figures import bundle_sizes, render_times, report  # noqa: E402
from tests.support.server import running_server  # noqa: E402

RESULTS = REPO / "bench" / "results" / "ui.json"


def main() -> None:
    if not (FRONTEND_DIST / "index.html").is_file():
        raise SystemExit("frontend/dist is missing: run `make frontend` first")
    sizes = bundle_sizes()
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_server(Path(tmp)) as server,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        sign_in(page, server.base_url, server.admin)  # through the sign-in page, as a person
        render = render_times(page, server.base_url, runs=9)
        browser.close()
    print(report(sizes, render))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps({"bundle": sizes, "execution_detail_1000_servers": render}, indent=2)
    )
    print(f"wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
