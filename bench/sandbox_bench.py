"""Sandbox benchmark: paginated DescribeSourceServers over 4,000 servers, DescribeJobs rate.

Runs `drorch sandbox` as a separate process on 127.0.0.1 (as operators and tests use it),
drives it with the unmodified boto3 `drs` client, prints a table and writes
bench/results/sandbox.json. Targets: full listing <= 1 s, DescribeJobs >= 300 calls/s.
The plain-HTTP rows show the sandbox's own share: one boto3 client spends most of each
call in botocore (signing, parsing), so it alone cannot show what the sandbox sustains.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

from drorch.adapters.aws.drs import SANDBOX_CONFIG, sandbox_client
from drorch.sandbox import synthetic_fleet

SERVERS = 4000
LIST_ROUNDS = 5
RATE_SECONDS = 3.0
PROCESSES = 2
RESULTS = Path(__file__).parent / "results" / "sandbox.json"
ENTRY = "from drorch.cli.main import main; main()"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_sandbox(fleet: Path, port: int) -> subprocess.Popen[bytes]:
    """`drorch sandbox` on the port, waited for until it answers."""
    command = [sys.executable, "-c", ENTRY, "sandbox", "--port", str(port), "--fleet", str(fleet)]
    process = subprocess.Popen([*command, "--clock", "virtual"], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/_sandbox/stats", timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("sandbox did not start")


def list_all(client: Any, page_size: int | None) -> tuple[float, int, int]:
    """Seconds, servers and pages for one full paginated listing."""
    config = {"PageSize": page_size} if page_size else {}
    start = time.perf_counter()
    pages = list(client.get_paginator("describe_source_servers").paginate(PaginationConfig=config))
    elapsed = time.perf_counter() - start
    return elapsed, sum(len(p["items"]) for p in pages), len(pages)


def listing(client: Any, page_size: int | None) -> dict[str, Any]:
    """Best and median of several full listings."""
    runs = [list_all(client, page_size) for _ in range(LIST_ROUNDS)]
    times = [r[0] for r in runs]
    return {
        "page_size": page_size or 100,
        "servers": runs[0][1],
        "pages": runs[0][2],
        "best_s": min(times),
        "median_s": statistics.median(times),
    }


def hammer(url: str, key: str, seconds: float) -> tuple[int, float]:
    """Call DescribeJobs back to back for `seconds`; (calls, elapsed)."""
    client = sandbox_client(url, key, "us-east-1", SANDBOX_CONFIG)
    client.describe_jobs()  # warm the connection
    calls = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        client.describe_jobs()
        calls += 1
    return calls, time.perf_counter() - start


def raw_listing(url: str, key: str) -> dict[str, Any]:
    """The same 100-per-page listing over plain HTTP: the sandbox's share without boto3."""
    auth = f"AWS4-HMAC-SHA256 Credential={key}/20260101/us-east-1/drs/aws4_request"
    times = []
    with httpx.Client(headers={"Authorization": auth}) as http:
        for _ in range(LIST_ROUNDS):
            start, token, pages = time.perf_counter(), None, 0
            while True:
                body = {"nextToken": token} if token else {}
                token = http.post(f"{url}/DescribeSourceServers", json=body).json().get("nextToken")
                pages += 1
                if not token:
                    break
            times.append(time.perf_counter() - start)
    return {
        "page_size": 100,
        "pages": pages,
        "best_s": min(times),
        "median_s": statistics.median(times),
    }


def raw_rate(url: str, key: str) -> dict[str, Any]:
    """DescribeJobs over plain keep-alive HTTP: how many calls the sandbox itself sustains."""
    auth = f"AWS4-HMAC-SHA256 Credential={key}/20260101/us-east-1/drs/aws4_request"
    with httpx.Client(headers={"Authorization": auth}) as http:
        http.post(f"{url}/DescribeJobs", content=b"{}")
        calls, start = 0, time.perf_counter()
        while time.perf_counter() - start < RATE_SECONDS:
            http.post(f"{url}/DescribeJobs", content=b"{}").raise_for_status()
            calls += 1
        elapsed = time.perf_counter() - start
    return {"clients": 1, "calls": calls, "per_s": calls / elapsed}


def rate(url: str, key: str, clients: int) -> dict[str, Any]:
    """DescribeJobs calls per second, sustained, from `clients` client processes."""
    if clients == 1:
        runs = [hammer(url, key, RATE_SECONDS)]
    else:
        # Separate processes, so the figure is the sandbox's, not one client's GIL.
        with multiprocessing.Pool(clients) as pool:
            runs = pool.starmap(hammer, [(url, key, RATE_SECONDS)] * clients)
    calls = sum(c for c, _ in runs)
    return {"clients": clients, "calls": calls, "per_s": sum(c / e for c, e in runs)}


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark (tiny with --quick), print the table, write the JSON results."""
    args = _arguments(argv)
    if args.quick:
        _shrink()
    data = synthetic_fleet(SERVERS)
    account = data["accounts"][0]
    with tempfile.TemporaryDirectory() as tmp:
        fleet = Path(tmp) / "fleet.yaml"
        fleet.write_text(yaml.safe_dump(data))
        port = free_port()
        process = start_sandbox(fleet, port)
        try:
            results = measure(f"http://127.0.0.1:{port}", account["access_keys"][0])
        finally:
            process.terminate()
            process.wait(10)
    results["quick"] = args.quick
    report(results, args.out)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="Tiny sizes: checks the path only.")
    parser.add_argument("--out", type=Path, default=RESULTS, help="Where to write the JSON.")
    return parser.parse_args(argv)


def _shrink() -> None:
    # The sizes are module constants that the measuring helpers read.
    global SERVERS, LIST_ROUNDS, RATE_SECONDS
    SERVERS, LIST_ROUNDS, RATE_SECONDS = 200, 1, 0.2


def measure(url: str, key: str) -> dict[str, Any]:
    """All figures against a running sandbox."""
    client = sandbox_client(url, key, "us-east-1", SANDBOX_CONFIG)
    for i in range(20):  # a realistic DescribeJobs answer: 20 jobs of 5 servers
        ids = [s["sourceServerID"] for s in client.describe_source_servers(maxResults=100)["items"]]
        client.start_recovery(sourceServers=[{"sourceServerID": s} for s in ids[i * 5 : i * 5 + 5]])
    return {
        "fleet_servers": SERVERS,
        "list_default_page": listing(client, None),
        "list_page_1000": listing(client, 1000),
        "list_raw_http": raw_listing(url, key),
        "describe_jobs_1_client": rate(url, key, 1),
        "describe_jobs_clients": rate(url, key, PROCESSES),
        "describe_jobs_raw_http": raw_rate(url, key),
        "targets": {"list_s": 1.0, "describe_jobs_per_s": 300},
        # Figures depend on what else runs; the load average says how busy the machine was.
        "load_average": list(os.getloadavg()),
        "cpus": os.cpu_count(),
    }


def report(results: dict[str, Any], out: Path = RESULTS) -> None:
    """Print a table and write the JSON file."""
    rows = [
        ("DescribeSourceServers, 4,000 servers, 100/page", results["list_default_page"]),
        ("DescribeSourceServers, 4,000 servers, 1000/page", results["list_page_1000"]),
        ("  same, 100/page, plain HTTP (sandbox share)", results["list_raw_http"]),
    ]
    print(f"{'measure':52} {'pages':>6} {'best s':>8} {'median s':>9} {'target':>8}")
    for label, row in rows:
        verdict = "ok" if row["median_s"] <= 1.0 else "MISSED"
        print(
            f"{label:52} {row['pages']:>6} {row['best_s']:>8.3f} {row['median_s']:>9.3f} "
            f"{'<=1 s ' + verdict:>8}"
        )
    labels = {
        "describe_jobs_1_client": "DescribeJobs, 20 jobs, 1 boto3 client",
        "describe_jobs_clients": f"DescribeJobs, 20 jobs, {PROCESSES} boto3 client processes",
        "describe_jobs_raw_http": "  same, plain HTTP (sandbox share)",
    }
    for key, label in labels.items():
        row = results[key]
        verdict = "ok" if row["per_s"] >= 300 else "MISSED"
        print(f"{label:52} {row['calls']:>6} {row['per_s']:>8.0f}/s {'':>9} {'>=300 ' + verdict}")
    load = ", ".join(f"{x:.1f}" for x in results["load_average"])
    print(f"machine: {results['cpus']} CPUs, load average {load}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
