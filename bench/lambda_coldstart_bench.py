"""Lambda cold-start benchmark: a fresh interpreter imports the API handler and answers.

Each run starts a new Python process (as a cold Lambda does) that imports
`drorch.lambdas.api` and hands it an API Gateway HTTP API (payload 2.0) event: the first
call builds the container from the settings and the FastAPI app, then answers; a second
call of the same event is the warm figure. Scenarios:

- store: `dynamodb`, what the Lambda runs (the template's settings; DynamoDB is a moto
  server started beforehand, outside the timed processes), or the `sqlite` file;
- bytecode: `packaged`, what Lambda sees: drorch and the dependencies it loads copied into
  a read-only directory first on the path, compiled as `drorch deploy` ships them
  (`compileall --invalidation-mode unchecked-hash`, here by this interpreter) and run with
  PYTHONDONTWRITEBYTECODE; `warm` (every module has its .pyc), or `none`, a package without
  .pyc on read-only /var/task, compiled at each cold start (the standard library keeps its
  .pyc, as in the runtime). Those two use a private PYTHONPYCACHEPREFIX;
- request: `GET /health`, or a signed-in `GET /api/v1/executions` (an API token of a user
  made beforehand), the UI's busiest read.

The CPU time of each cold start (interpreter start included) is what it takes on an idle
core; the wall time what it took on this machine's load (printed with it). Prints a table
and writes bench/results/lambda_coldstart.json. Target: import + first call <= 1 s.

    .venv/bin/python bench/lambda_coldstart_bench.py [--runs 7] [--quick] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drorch.deploy import bytecode
from store_bench import moto_server

RESULTS = Path(__file__).resolve().parent / "results" / "lambda_coldstart.json"
TARGET_SECONDS = 1.0
HOST = "api.bench.test"
ACCOUNT = "123456789012"
REGION = "us-east-1"

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

# Which top-level packages outside the standard library a cold start loads (the layout to copy).
LAYOUT = (
    PROBE.split("print(json.dumps(")[0]
    + r"""
import sysconfig
stdlib = sysconfig.get_paths()["stdlib"]
roots = set()
for name, module in list(sys.modules.items()):
    path = getattr(module, "__file__", None) or ""
    if path and not path.startswith(stdlib) and "site-packages" in path or "/src/drorch/" in path:
        roots.add(name.split(".")[0])
print(json.dumps(sorted(roots)))
"""
)

# Made once, before the timed runs, with the same settings: a user and its API token.
PREPARE = r"""
from drorch.bootstrap import bootstrap
from drorch.domain.identity import Principal, Role, Source
from drorch.services import auth, users
from drorch.services.audit import AuditContext

box = bootstrap()
admin = Principal(subject="bench", username="bench", display_name="bench", role=Role.ADMIN,
                  source=Source.LOCAL)
audit = AuditContext(principal=admin, request_id="bench")
user = users.create_user(store=box.store, passwords=box.auth.passwords, audit=audit,
                         username="bench", password="bench-password-long-enough",
                         role=Role.ADMIN)
owner = Principal(subject=user.id, username="bench", display_name="bench", role=Role.ADMIN,
                  source=Source.LOCAL)
print(auth.create_api_token(store=box.store, audit=audit, principal=owner, name="bench").token)
box.store.close()
"""


@dataclass(frozen=True)
class Scenario:
    """One way of cold-starting: which store, which bytecode, which first request."""

    store: str
    bytecode: str
    request: str

    @property
    def name(self) -> str:
        """A short label, e.g. `dynamodb/none/health`."""
        return f"{self.store}/{self.bytecode}/{self.request}"


# The one Lambda runs first: its store, the package as shipped, the health check.
LAMBDA = Scenario("dynamodb", "packaged", "health")
FULL = (
    LAMBDA,
    Scenario("dynamodb", "none", "health"),
    Scenario("dynamodb", "warm", "health"),
    Scenario("dynamodb", "none", "executions"),
    Scenario("dynamodb", "warm", "executions"),
    Scenario("sqlite", "none", "health"),
    Scenario("sqlite", "warm", "health"),
)
QUICK = (LAMBDA, Scenario("dynamodb", "warm", "health"))
READ_ONLY = 0o555


def api_event(path: str, token: str | None = None) -> dict[str, Any]:
    """API Gateway's (payload 2.0) event for GET `path`, signed in when a token is given."""
    headers = {"host": HOST, "user-agent": "bench"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": "bench",
            "domainName": HOST,
            "http": {
                "method": "GET",
                "path": path,
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


def health_event() -> dict[str, Any]:
    """GET /health (no sign-in)."""
    return api_event("/health")


def base_env(data_dir: Path) -> dict[str, str]:
    """What every run shares: no DRORCH_ or bytecode settings of the caller, fixed secrets."""
    dropped = ("DRORCH_", "PYTHONPYCACHEPREFIX", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    env.update(
        {
            "DRORCH_DATA_DIR": str(data_dir),
            "DRORCH_ALLOWED_HOSTS": HOST,
            "DRORCH_JWT_SECRET": "bench-jwt-secret-of-a-good-length",
            "DRORCH_CURSOR_SECRET": "bench-cursor-secret",
        }
    )
    return env


def sqlite_env(data_dir: Path) -> dict[str, str]:
    """A SQLite store, no DRS (health answers degraded, 200)."""
    env = base_env(data_dir)
    env.update({"DRORCH_DRS_ENABLED": "false", "DRORCH_DRIVER": "stepfunctions"})
    return env


def dynamodb_env(data_dir: Path, moto_url: str) -> dict[str, str]:
    """The API function's settings in infra/drorch.yaml, its AWS endpoints on moto."""
    env = base_env(data_dir)
    env.update(
        {
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ENDPOINT_URL_STS": moto_url,
            "DRORCH_STORE": "dynamodb",
            "DRORCH_DYNAMODB_TABLE_PREFIX": "drorch-bench",
            "DRORCH_DYNAMODB_ENDPOINT_URL": moto_url,
            "DRORCH_DRIVER": "stepfunctions",
            "DRORCH_STATE_MACHINE_ARN": (
                f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:drorch-bench-engine"
            ),
            "DRORCH_STEPFUNCTIONS_ENDPOINT_URL": moto_url,
            "DRORCH_METRICS_EMF": "true",
            "DRORCH_METRICS_ENVIRONMENT": "bench",
            "DRORCH_COGNITO_ISSUER": f"https://cognito-idp.{REGION}.amazonaws.com/{REGION}_bench",
            "DRORCH_COGNITO_CLIENT_ID": "bench-client",
            "DRORCH_CORS_ORIGINS": "https://ui.bench.test",
            "DRORCH_RUNNER_ENABLED": "false",
            "DRORCH_SCHEDULER_ENABLED": "false",
            "DRORCH_LOG_FORMAT": "json",
            "DRORCH_LOG_LEVEL": "WARNING",
        }
    )
    return env


def bytecode_env(env: dict[str, str], prefix: Path, *, write: bool = False) -> dict[str, str]:
    """`env` reading bytecode only from `prefix` (and writing it there when asked)."""
    env = dict(env, PYTHONPYCACHEPREFIX=str(prefix))
    if not write:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def stdlib_only(warm: Path, cold: Path) -> None:
    """Copy of the bytecode prefix `warm` with the standard library's .pyc only."""
    stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
    mirrored = warm / str(stdlib).lstrip(os.sep)
    shutil.copytree(mirrored, cold / str(stdlib).lstrip(os.sep))


def copy_modules(source: Path, target: Path) -> None:
    """Copy the modules under `source` (compiled beside later); link everything else.

    A directory without modules of its own (botocore's data: thousands of files) is one link.
    """
    target.mkdir()
    for entry in sorted(source.iterdir()):
        if entry.name == "__pycache__" or entry.suffix == ".pyc":
            continue
        if entry.is_dir() and any(p.suffix == ".py" for p in entry.iterdir()):
            copy_modules(entry, target / entry.name)
        elif entry.suffix == ".py":
            shutil.copy2(entry, target / entry.name)
        else:
            (target / entry.name).symlink_to(entry)


def package_layout(roots: list[str], task: Path) -> None:
    """Copy packages `roots` and all metadata into `task`, compiled as shipped, read-only."""
    for entry in sys.path:
        base = Path(entry or ".").resolve()
        for root in roots:
            for found in [base / root, base / f"{root}.py"]:
                target = task / found.name
                if found.is_dir() and not target.exists():
                    copy_modules(found, target)
                elif found.is_file() and not target.exists():
                    shutil.copy2(found, target)
        if base.name == "site-packages":
            for info in base.glob("*.dist-info"):  # importlib.metadata reads versions
                if not (task / info.name).exists():
                    (task / info.name).symlink_to(info)
    compiler = bytecode.probe(Path(sys.executable))
    assert compiler is not None
    bytecode.compile_tree(compiler, task)
    for path in [task, *task.rglob("*")]:
        if not path.is_symlink():  # a link's target is the venv's own file
            path.chmod(READ_ONLY if path.is_dir() else 0o444)


def writable(task: Path) -> None:
    """Make `task` removable again."""
    for path in [task, *task.rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)


def run_once(
    env: dict[str, str], event: dict[str, Any], *, importtime: bool = False
) -> tuple[dict[str, Any], str]:
    """One cold start in a fresh interpreter: its figures, and -X importtime's report."""
    command = [sys.executable]
    if importtime:
        command += ["-X", "importtime"]
    command += ["-c", PROBE, json.dumps(event)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)
    if done.returncode != 0:
        raise RuntimeError(f"cold start failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def prepare(env: dict[str, str]) -> str:
    """Create the store (tables or file) with a user; the API token of that user."""
    done = subprocess.run(
        [sys.executable, "-c", PREPARE], env=env, capture_output=True, text=True, timeout=180
    )
    if done.returncode != 0:
        raise RuntimeError(f"preparing the store failed:\n{done.stderr[-3000:]}")
    return done.stdout.strip().splitlines()[-1]


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


def summary(runs: list[dict[str, Any]], key: str) -> dict[str, float]:
    """Median, 90th percentile, best and worst of one figure over the runs, in seconds."""
    values = sorted(r[key] for r in runs)
    p90 = (
        statistics.quantiles(values, n=10, method="inclusive")[8] if len(values) > 1 else values[0]
    )
    return {
        "median": round(statistics.median(values), 4),
        "p90": round(p90, 4),
        "min": round(values[0], 4),
        "max": round(values[-1], 4),
    }


class Bench:
    """The prepared environments of one benchmark: stores, bytecode prefixes, token."""

    def __init__(self, tmp: Path, moto_url: str | None, scenarios: tuple[Scenario, ...]) -> None:
        self.envs: dict[str, dict[str, str]] = {}
        if any(s.store == "sqlite" for s in scenarios):
            self.envs["sqlite"] = sqlite_env(tmp / "sqlite")
        if moto_url is not None:
            self.envs["dynamodb"] = dynamodb_env(tmp / "dynamodb", moto_url)
        signed_in = {s.store for s in scenarios if s.request != "health"}
        self.tokens = {store: prepare(self.envs[store]) for store in sorted(signed_in)}
        self.warm, self.cold = tmp / "pyc-warm", tmp / "pyc-none"
        # Fills the warm prefix (and the OS file cache); the first run makes the tables.
        for store, request in sorted({(s.store, s.request) for s in scenarios}):
            scenario = Scenario(store, "warm", request)
            run_once(bytecode_env(self.envs[store], self.warm, write=True), self.event(scenario))
        stdlib_only(self.warm, self.cold)
        self.task = tmp / "task"
        if any(s.bytecode == "packaged" for s in scenarios):
            self.task.mkdir()
            package_layout(self.loaded_roots(scenarios), self.task)
            self.check_layout(scenarios)

    def check_layout(self, scenarios: tuple[Scenario, ...]) -> None:
        """Fail unless the packaged runs import drorch and FastAPI from the copy."""
        store = next(s.store for s in scenarios if s.bytecode == "packaged")
        env = self.env(Scenario(store, "packaged", "health"))
        code = "import drorch, fastapi; print(drorch.__file__); print(fastapi.__file__)"
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        files = done.stdout.split()
        if done.returncode != 0 or not all(f.startswith(str(self.task)) for f in files):
            raise RuntimeError(f"the packaged layout is not the one imported: {files}")

    def loaded_roots(self, scenarios: tuple[Scenario, ...]) -> list[str]:
        """The top-level packages the scenarios' cold starts load (outside the stdlib)."""
        roots: set[str] = set()
        for scenario in {s for s in scenarios if s.bytecode == "packaged"}:
            env = bytecode_env(self.envs[scenario.store], self.warm)
            command = [sys.executable, "-c", LAYOUT, json.dumps(self.event(scenario))]
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)
            if done.returncode != 0:
                raise RuntimeError(f"listing the loaded packages failed:\n{done.stderr[-3000:]}")
            roots.update(json.loads(done.stdout.strip().splitlines()[-1]))
        return sorted(roots)

    def event(self, scenario: Scenario) -> dict[str, Any]:
        """The first request of a scenario."""
        if scenario.request == "health":
            return health_event()
        return api_event("/api/v1/executions", self.tokens[scenario.store])

    def env(self, scenario: Scenario) -> dict[str, str]:
        """The environment of a scenario's runs (nothing is written between them)."""
        if scenario.bytecode == "packaged":  # first on the path, .pyc beside, none written
            return dict(
                self.envs[scenario.store], PYTHONPATH=str(self.task), PYTHONDONTWRITEBYTECODE="1"
            )
        prefix = self.warm if scenario.bytecode == "warm" else self.cold
        return bytecode_env(self.envs[scenario.store], prefix)

    def measure(
        self, scenario: Scenario, *, importtime: bool = False
    ) -> tuple[dict[str, Any], str]:
        """One cold start of a scenario (under -X importtime when asked)."""
        return run_once(self.env(scenario), self.event(scenario), importtime=importtime)


def scenario_result(scenario: Scenario, runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One scenario's figures."""
    keys = ("import_s", "first_call_s", "cold_total_s", "cold_cpu_s", "warm_call_s")
    return {
        "scenario": scenario.name,
        "store": scenario.store,
        "bytecode": scenario.bytecode,
        "request": scenario.request,
        "runs": len(runs),
        **{key: summary(runs, key) for key in keys},
        "modules_loaded": runs[-1]["modules"],
        "statuses": sorted({s for r in runs for s in r["status"]}),
    }


@contextmanager
def dynamodb_endpoint(wanted: bool) -> Iterator[str | None]:
    """moto server for the DynamoDB scenarios (outside every timed process), when wanted."""
    if not wanted:
        yield None
        return
    with moto_server() as url:
        yield url


def measure_all(
    bench: Bench, scenarios: tuple[Scenario, ...], runs: int
) -> tuple[dict[Scenario, list[dict[str, Any]]], str]:
    """Every scenario's runs, interleaved run by run; -X importtime of the Lambda's."""
    measured: dict[Scenario, list[dict[str, Any]]] = {s: [] for s in scenarios}
    report = ""
    for _ in range(runs):  # interleaved: a change of load hits every scenario alike
        for scenario in scenarios:
            traced = runs == 1 and scenario == LAMBDA
            figures, stderr = bench.measure(scenario, importtime=traced)
            measured[scenario].append(figures)
            report = stderr if traced else report
    if runs > 1:
        report = bench.measure(LAMBDA, importtime=True)[1]
    return measured, report


def run(scenarios: tuple[Scenario, ...], runs: int) -> tuple[list[dict[str, Any]], str]:
    """Every scenario's figures, interleaved run by run; -X importtime of the Lambda's.

    With one run (--quick) that run is the one under -X importtime, which adds a little
    to its figures; otherwise one more run is made for the report.
    """
    wanted = any(s.store == "dynamodb" for s in scenarios)
    with tempfile.TemporaryDirectory() as tmp, dynamodb_endpoint(wanted) as url:
        try:
            measured, report = measure_all(Bench(Path(tmp), url, scenarios), scenarios, runs)
        finally:  # the read-only copy must be removable with the temporary directory
            if (Path(tmp) / "task").exists():
                writable(Path(tmp) / "task")
    return [scenario_result(s, measured[s]) for s in scenarios], report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="one run of two scenarios (tests)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    load_before = os.getloadavg()
    scenarios, report = run(QUICK if args.quick else FULL, 1 if args.quick else args.runs)
    result = report_of(scenarios, report, args.quick, load_before)
    _print(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")


def report_of(
    scenarios: list[dict[str, Any]], report: str, quick: bool, load_before: tuple[float, ...]
) -> dict[str, Any]:
    """The JSON document: every scenario, the Lambda's figures on top, the targets."""
    by_name = {s["scenario"]: s for s in scenarios}
    lam = by_name[LAMBDA.name]
    return {
        "quick": quick,
        "runs": lam["runs"],
        "python": platform.python_version(),
        "load_average": {
            "before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in os.getloadavg()],
        },
        "lambda_scenario": LAMBDA.name,
        **{key: lam[key] for key in ("import_s", "first_call_s", "cold_total_s", "cold_cpu_s")},
        "warm_call_s": lam["warm_call_s"],
        "modules_loaded": lam["modules_loaded"],
        "scenarios": scenarios,
        "slowest_imports": slowest_imports(report),
        "targets": [target(s) for s in scenarios if s["request"] == "health"],
    }


def target(scenario: dict[str, Any]) -> dict[str, Any]:
    """The 1 s target on one scenario's median cold start."""
    measured = scenario["cold_total_s"]["median"]
    return {
        "figure": f"cold start, import + first call, median ({scenario['scenario']})",
        "target_s": TARGET_SECONDS,
        "measured_s": measured,
        "met": measured <= TARGET_SECONDS,
    }


def _print(result: dict[str, Any]) -> None:
    load = result["load_average"]
    print(
        f"Lambda cold start, {result['runs']} runs per scenario, load average "
        f"{load['before']} before, {load['after']} after"
    )
    header = "cold total (median / p90)   CPU (median / p90)   import   warm call"
    print(f"  {'scenario':<28} {header}   modules")
    for s in result["scenarios"]:
        total, cpu = s["cold_total_s"], s["cold_cpu_s"]
        print(
            f"  {s['scenario']:<28} {total['median'] * 1000:7.0f} / {total['p90'] * 1000:5.0f} ms"
            f"       {cpu['median'] * 1000:5.0f} / {cpu['p90'] * 1000:5.0f} ms"
            f"    {s['import_s']['median'] * 1000:5.1f} ms"
            f"  {s['warm_call_s']['median'] * 1000:5.1f} ms"
            f"   {s['modules_loaded']}   statuses {s['statuses']}"
        )
    print(f"  slowest imports (cumulative) of {result['lambda_scenario']}:")
    for row in result["slowest_imports"]:
        print(f"    {row['package']:<24} {row['cumulative_ms']:8.1f} ms")
    for t in result["targets"]:
        verdict = "met" if t["met"] else "MISSED"
        print(f"  target {t['figure']}: <= {t['target_s']} s -> {t['measured_s']} s, {verdict}")


if __name__ == "__main__":
    main()
