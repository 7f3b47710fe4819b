"""Lambda cold-start benchmark: a fresh interpreter imports the API handler and answers /health.

Each run starts a new Python process (as a cold Lambda does) that imports
`drorch.lambdas.api`, then hands it an API Gateway HTTP API event for `GET /health` (the
first call builds the container from the settings and the FastAPI app), then a second one
(warm). The store is a SQLite file made once beforehand, so the runs time opening it, not
creating it. With `-X importtime` the slowest imports of one run are listed too; the CPU
time of each cold start (interpreter start included) is what it takes on an idle core, the
wall time what it took on this machine's load. Prints a table and writes
bench/results/lambda_coldstart.json. Target: import + first call <= 1 s.

    .venv/bin/python bench/lambda_coldstart_bench.py [--runs 7] [--quick] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results" / "lambda_coldstart.json"
TARGET_SECONDS = 1.0
HOST = "api.bench.test"

# What one cold Lambda does, timed from inside the fresh interpreter.
PROBE = r"""
import json, sys, time
began = time.perf_counter()
from drorch.lambdas import api
imported = time.perf_counter()
event = json.loads(sys.argv[1])
first = api.handler(event, None)
answered = time.perf_counter()
cpu = time.process_time()  # CPU of the whole process so far: what an idle core would take
second = api.handler(event, None)
warm = time.perf_counter()
print(json.dumps({
    "import_s": imported - began,
    "first_call_s": answered - imported,
    "cold_total_s": answered - began,
    "cold_cpu_s": cpu,
    "warm_call_s": warm - answered,
    "status": [first["statusCode"], second["statusCode"]],
    "modules": len(sys.modules),
}))
"""


def health_event() -> dict[str, Any]:
    """API Gateway's (payload 2.0) event for GET /health."""
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/health",
        "rawQueryString": "",
        "headers": {"host": HOST, "user-agent": "bench"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "bench",
            "domainName": HOST,
            "http": {
                "method": "GET",
                "path": "/health",
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "bench",
            },
            "requestId": "bench",
            "routeKey": "$default",
            "stage": "$default",
            "timeEpoch": 0,
        },
        "isBase64Encoded": False,
    }


def lambda_env(data_dir: Path) -> dict[str, str]:
    """A Lambda's settings: its own store, no DRS (health answers degraded, 200)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRORCH_")}
    env.update(
        {
            "DRORCH_DATA_DIR": str(data_dir),
            "DRORCH_DRS_ENABLED": "false",
            "DRORCH_DRIVER": "stepfunctions",
            "DRORCH_ALLOWED_HOSTS": HOST,
            "DRORCH_JWT_SECRET": "bench-jwt-secret-of-a-good-length",
            "DRORCH_CURSOR_SECRET": "bench-cursor-secret",
        }
    )
    return env


def run_once(env: dict[str, str], *, importtime: bool = False) -> tuple[dict[str, Any], str]:
    """One cold start in a fresh interpreter: its figures, and -X importtime's report."""
    command = [sys.executable]
    if importtime:
        command += ["-X", "importtime"]
    command += ["-c", PROBE, json.dumps(health_event())]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"cold start failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def slowest_imports(report: str, count: int = 10) -> list[dict[str, Any]]:
    """The top-level packages with the largest cumulative import time (-X importtime)."""
    totals: dict[str, int] = {}
    for line in report.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = (part.strip() for part in line.split(":", 1)[1].split("|"))
        if not cumulative.isdigit() or name.startswith(" "):
            continue
        if name == name.lstrip() and "." not in name:
            totals[name] = max(totals.get(name, 0), int(cumulative))
    ranked = sorted(totals.items(), key=lambda item: -item[1])[:count]
    return [{"package": name, "cumulative_ms": round(us / 1000, 1)} for name, us in ranked]


def prepare(data_dir: Path) -> None:
    """Create and migrate the store once, as a deployed Lambda finds it."""
    from drorch.adapters.storage.sqlite import SqliteStore
    from drorch.config import Settings

    SqliteStore(Settings(data_dir=data_dir).db_path).close()


def summary(runs: list[dict[str, Any]], key: str) -> dict[str, float]:
    """Median, best and worst of one figure over the runs, in seconds."""
    values = [r[key] for r in runs]
    return {
        "median": round(statistics.median(values), 4),
        "min": round(min(values), 4),
        "max": round(max(values), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="one run (tests use it)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    runs_wanted = args.runs
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        prepare(data_dir)
        env = lambda_env(data_dir)
        if args.quick:  # one run, under -X importtime (which adds a little to its figures)
            first, report = run_once(env, importtime=True)
            runs = [first]
        else:
            run_once(env)  # warms the OS file cache and the bytecode, as a deployed package is
            runs = [run_once(env)[0] for _ in range(runs_wanted)]
            _, report = run_once(env, importtime=True)
    cold = summary(runs, "cold_total_s")
    result = {
        "quick": args.quick,
        "runs": len(runs),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "import_s": summary(runs, "import_s"),
        "first_call_s": summary(runs, "first_call_s"),
        "cold_total_s": cold,
        "cold_cpu_s": summary(runs, "cold_cpu_s"),
        "warm_call_s": summary(runs, "warm_call_s"),
        "modules_loaded": runs[-1]["modules"],
        "statuses": sorted({s for r in runs for s in r["status"]}),
        "slowest_imports": slowest_imports(report),
        "targets": [
            {
                "figure": "cold start: import drorch.lambdas.api + first /health call (median)",
                "target_s": TARGET_SECONDS,
                "measured_s": cold["median"],
                "met": cold["median"] <= TARGET_SECONDS,
            }
        ],
    }
    _print(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")


def _print(result: dict[str, Any]) -> None:
    print(f"Lambda cold start, {result['runs']} runs, load average {result['load_average']}")
    for key in ("import_s", "first_call_s", "cold_total_s", "cold_cpu_s", "warm_call_s"):
        figures = result[key]
        print(
            f"  {key:<14} median {figures['median'] * 1000:8.1f} ms   "
            f"min {figures['min'] * 1000:8.1f} ms   max {figures['max'] * 1000:8.1f} ms"
        )
    print(f"  modules loaded after the first call: {result['modules_loaded']}")
    print("  slowest imports (cumulative):")
    for row in result["slowest_imports"]:
        print(f"    {row['package']:<24} {row['cumulative_ms']:8.1f} ms")
    for target in result["targets"]:
        verdict = "met" if target["met"] else "MISSED"
        print(f"  target {target['figure']}: <= {target['target_s']} s -> {verdict}")


if __name__ == "__main__":
    main()
