"""bench/ui_bench.py still runs: its --quick size drives the built UI in Chromium once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.browser import REPO


def test_ui_bench_quick_run_writes_its_figures(built_ui: None, tmp_path: Path) -> None:
    out = tmp_path / "ui.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRORCH_")}
    command = [sys.executable, str(REPO / "bench" / "ui_bench.py"), "--quick", "--out", str(out)]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    result = json.loads(out.read_text())
    assert result["quick"] is True
    assert result["bundle"]["gzip_bytes"] > 0
    assert result["execution_detail_1000_servers"]["median_ms"] > 0
    assert f"wrote {out}" in done.stdout
