"""UI figures: built JS+CSS size (gzipped) and the render time of a 1,000-server execution.

Starts `drorch serve` (no sandbox needed: the execution is answered from memory by the
browser's request routing) and headless Chromium (/usr/bin/chromium). Prints the figures
and writes bench/results/ui.json. Targets: <= 1 MiB gzipped, <= 500 ms render.
"""

from __future__ import annotations

import argparse
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


def main(argv: list[str] | None = None) -> None:
    """Measure the bundle and the render time (one run with --quick), print, write the JSON."""
    args = _arguments(argv)
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
        render = render_times(page, server.base_url, runs=1 if args.quick else 9)
        browser.close()
    print(report(sizes, render))
    result = {"quick": args.quick, "bundle": sizes, "execution_detail_1000_servers": render}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="One render run: checks the path.")
    parser.add_argument("--out", type=Path, default=RESULTS, help="Where to write the JSON.")
    return parser.parse_args(argv)


if __name__ == "__main__":
    main()
