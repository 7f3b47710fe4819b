"""Every benchmark in bench/ still runs: each one at its --quick size, as a real subprocess.

Figures are not checked (they depend on the machine); that the script finishes, prints and
writes its JSON with the parts a real run writes is, so a rotted benchmark fails here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]
BENCH = REPO / "bench"
# The top-level keys each script's JSON holds.
EXPECTED = {
    "engine_bench.py": {"quick", "latency", "makespan", "scale", "serve", "targets"},
    "api_bench.py": {"quick", "dataset", "load", "targets", "cases", "memory", "met"},
    "sandbox_bench.py": {
        "quick",
        "fleet_servers",
        "list_default_page",
        "list_page_1000",
        "describe_jobs_1_client",
        "describe_jobs_clients",
        "targets",
    },
    "stream_bench.py": {"quick", "streams", "idle", "with_streams", "p95_ratio"},
    "reads_bench.py": {"quick", "sizes", "targets", "reads", "list_while_drills", "met"},
    "notify_bench.py": {"quick", "drain", "feed"},
    "store_bench.py": {"quick", "sqlite", "dynamodb"},
    "lambda_coldstart_bench.py": {"quick", "cold_total_s", "cold_cpu_s", "scenarios", "targets"},
}


def run_quick(script: str, out: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """Run a bench script with --quick and --out; its process and the JSON it wrote."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRORCH_")}
    done = subprocess.run(
        [sys.executable, str(BENCH / script), "--quick", "--out", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, f"{script} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert out.is_file(), f"{script} wrote no JSON"
    return done, json.loads(out.read_text())


def test_every_script_in_bench_is_covered() -> None:
    scripts = {p.name for p in BENCH.glob("*_bench.py")}
    assert scripts == set(EXPECTED) | {"ui_bench.py"}  # ui_bench runs with the e2e tests


@pytest.mark.parametrize("script", sorted(set(EXPECTED) - {"engine_bench.py"}))
def test_quick_run_writes_its_figures(script: str, tmp_path: Path) -> None:
    done, result = run_quick(script, tmp_path / "figures.json")
    assert EXPECTED[script] <= set(result), sorted(set(result))
    assert result["quick"] is True
    assert f"wrote {tmp_path / 'figures.json'}" in done.stdout


def test_engine_bench_quick_run_completes_its_drill(tmp_path: Path) -> None:
    _, result = run_quick("engine_bench.py", tmp_path / "engine.json")
    assert EXPECTED["engine_bench.py"] <= set(result), sorted(set(result))
    scale = result["scale"]
    assert scale["status"] == "COMPLETED"
    assert scale["launched"] == scale["servers"] == scale["launches_counted_by_sandbox"]
    assert result["latency"]["transitions"] > 0
    assert result["serve"]["status"] == "COMPLETED" and result["serve"]["peak_rss_mb_sampled"] > 0
    plans = {k: v for k, v in result["makespan"].items() if isinstance(v, dict)}
    assert len(plans) == 4
    for figures in plans.values():
        # The bound is the largest of its parts, and nothing finishes before its bound.
        parts = [figures[k] for k in figures if k.endswith("_bound_s")]
        assert figures["lower_bound_s"] == max(parts)
        assert figures["efficiency_achieved_over_bound"] >= 0.99
    assert result["targets"][0]["figure"].startswith("engine CPU per pass")


def test_no_benchmark_imports_the_test_suite() -> None:
    scripts = list(BENCH.glob("*.py"))
    offenders = [p.name for p in scripts if _imports_tests(p.read_text())]
    assert offenders == []


def _imports_tests(source: str) -> bool:
    lines = [line.strip() for line in source.splitlines()]
    return any(line.startswith(("from tests", "import tests")) for line in lines)
