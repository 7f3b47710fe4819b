"""A real `drorch serve --sandbox` (demo fleet, virtual sandbox clock) shared by these tests.

The sandbox clock only moves when a test says so, so a test decides exactly when DRS jobs
finish: it can pause or cancel an execution while its job is certainly still running.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.server import RunningServer, api_client, running_server
from tests.support.waiting import pumping, wait_until

EXECUTIONS = "/api/v1/executions"
ADMIN = "/sandbox/drs/_sandbox"
TERMINAL = {"COMPLETED", "PARTIAL", "FAILED", "CANCELLED"}
# Longer than any launch or terminate job of the demo fleet (Windows: about 20 minutes).
JOB_SECONDS = 3600
# A safety net for a broken engine, not a performance expectation.
WAIT_LIMIT = 90.0
# (application, Region, tier) of the demo fleet -> how the tests use it.
SCOPES = {
    "storefront": ("111122223333", {"us-east-1", "us-west-2"}),
    "payroll": ("444455556666", {"us-west-2"}),
}
_names = itertools.count(1)


@dataclass
class Lab:
    """The server, an HTTP client, sample groups by name, and helpers around them."""

    server: RunningServer
    http: httpx.Client
    groups: dict[str, str]

    @property
    def url(self) -> str:
        """Base URL of the API."""
        return self.server.base_url

    def plan(self, waves: list[tuple[str, list[str]]], **fields: Any) -> dict[str, Any]:
        """Create a plan whose waves name sample groups, e.g. ("db", ["payroll-us-west-2-db"])."""
        body = {
            "name": f"xp-{next(_names):03d}",
            "waves": [
                {"name": name, "protection_group_ids": [self.groups[g] for g in groups]}
                for name, groups in waves
            ],
            # Drills keep their instances unless a test asks otherwise: many tests clean up.
            "cleanup_after_minutes": "keep",
            **fields,
        }
        response = self.http.post("/api/v1/recovery-plans", json=body)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    def start(self, plan_id: str, type: str = "DRILL", **fields: Any) -> dict[str, Any]:
        """Start an execution (201 expected)."""
        response = self.http.post(EXECUTIONS, json={"plan_id": plan_id, "type": type, **fields})
        assert response.status_code == 201, response.text
        started: dict[str, Any] = response.json()
        return started

    def get(self, execution_id: str) -> dict[str, Any]:
        """The execution as the API shows it."""
        response = self.http.get(f"{EXECUTIONS}/{execution_id}")
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    def servers(self, execution_id: str, **filters: Any) -> list[dict[str, Any]]:
        """Every server of the execution, page by page, in plan order."""
        return self._all(f"{EXECUTIONS}/{execution_id}/servers", filters)

    def jobs(self, execution_id: str, **filters: Any) -> list[dict[str, Any]]:
        """Every DRS job the execution started, oldest first."""
        return self._all(f"{EXECUTIONS}/{execution_id}/jobs", filters)

    def _all(self, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        cursor = None
        while True:
            query = {"limit": 500, **params, **({"cursor": cursor} if cursor else {})}
            response = self.http.get(path, params=query)
            assert response.status_code == 200, response.text
            page = response.json()
            found += page["items"]
            cursor = page["next_cursor"]
            if not cursor:
                return found

    def act(self, execution_id: str, action: str, body: Any = None) -> httpx.Response:
        """POST an operator action."""
        return self.http.post(f"{EXECUTIONS}/{execution_id}/{action}", json=body)

    def wait(
        self, execution_id: str, check: Callable[[dict[str, Any]], bool], what: str
    ) -> dict[str, Any]:
        """Poll the execution until `check` holds; fail with its last state otherwise."""
        return wait_until(
            lambda: self.get(execution_id),
            check,
            limit=WAIT_LIMIT,
            failure=lambda last: f"execution never reached: {what}\n{last}\n{self.server.log()}",
        )

    def wait_job(self, execution_id: str, kind: str = "LAUNCH", count: int = 1) -> dict[str, Any]:
        """Wait until `count` DRS jobs of `kind` exist for the execution."""
        return self.wait(
            execution_id,
            lambda e: len([j for j in self.jobs(e["id"], kind=kind) if j["job_id"]]) >= count,
            f"{count} {kind} job(s) started",
        )

    def finish(self, execution_id: str) -> dict[str, Any]:
        """Let every job finish (pumping the clock) until the execution has ended for good."""
        with self.pump():
            return self.wait(execution_id, settled, "terminal with no open jobs or cleanup")

    def advance(self, seconds: float = JOB_SECONDS) -> None:
        """Move the sandbox clock."""
        response = self.http.post(f"{ADMIN}/clock/advance", json={"seconds": seconds})
        assert response.status_code == 200, response.text

    @contextmanager
    def pump(self) -> Iterator[None]:
        """Keep moving the sandbox clock in the background, so jobs end as soon as seen."""
        # Its own client: only the pump's thread uses it.
        with httpx.Client(base_url=self.url, timeout=10) as http:

            def beat() -> None:
                http.post(f"{ADMIN}/clock/advance", json={"seconds": 600})

            with pumping(beat, every=0.1):
                yield


def settled(execution: dict[str, Any]) -> bool:
    """Terminal, with no DRS job open and no cleanup running (or due after a hold)."""
    open_jobs = execution["jobs"]["open"]
    cleaning = execution["cleanup_status"] == "IN_PROGRESS" or bool(execution["cleanup_due_at"])
    done = execution["status"] in TERMINAL and not open_jobs and not cleaning
    assert done == execution["finished"], execution
    return done


def sample_groups(http: httpx.Client) -> dict[str, str]:
    """One tag-selected group per application, Region and tier of the demo fleet."""
    created = {}
    for app, (account, regions) in SCOPES.items():
        for region in sorted(regions):
            for tier in ("db", "app", "web"):
                name = f"{app}-{region}-{tier}"
                body = {
                    "name": name,
                    "account_id": account,
                    "region": region,
                    "selection": {"tags": {"Application": app, "Tier": tier}},
                }
                response = http.post("/api/v1/protection-groups", json=body)
                assert response.status_code == 201, response.text
                created[name] = response.json()["id"]
    return created


@pytest.fixture(scope="package")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """One server for the package: inventory synced from its sandbox, sample groups made."""
    data_dir: Path = tmp_path_factory.mktemp("exec-serve")
    # JSON logs with one line per request: tests/integration/executions/test_metrics.py reads them.
    env = {
        "DRORCH_SANDBOX_CLOCK": "virtual",
        "DRORCH_LOG_FORMAT": "json",
        "DRORCH_ACCESS_LOG": "true",
    }
    with (
        running_server(data_dir, args=["--sandbox"], env=env) as server,
        api_client(server) as http,
    ):
        synced = http.post("/api/v1/source-servers/sync")
        assert synced.status_code == 200, synced.text
        yield Lab(server=server, http=http, groups=sample_groups(http))


@dataclass(frozen=True)
class FailedDrill:
    """A finished, cleaned-up drill in which one server's launch failed (reports, metrics)."""

    execution: dict[str, Any]
    failed_server: str
    plan: dict[str, Any]


@pytest.fixture(scope="package")
def failed_drill(lab: Lab) -> Iterator[FailedDrill]:
    """Two waves; the first loses one of its launches to an injected fault (so the second is
    skipped), an operator pauses and resumes with comments, then the instances are
    terminated."""
    group = lab.http.get(f"/api/v1/protection-groups/{lab.groups['storefront-us-west-2-db']}")
    failed = sorted(group.json()["member_server_ids"])[0]
    fault = lab.http.post(f"{ADMIN}/faults", json={"fail_launches": [failed]})
    assert fault.status_code == 200, fault.text
    try:
        plan = lab.plan(
            [
                ("data", ["storefront-us-west-2-db", "storefront-us-west-2-app"]),
                ("web", ["storefront-us-west-2-web"]),
            ],
            rto_minutes=90,
        )
        execution_id = lab.start(plan["id"], comment="weekly drill", allow_unhealthy=True)["id"]
        lab.wait_job(execution_id)
        assert (
            lab.act(execution_id, "pause", {"comment": "checking the db wave"}).status_code == 200
        )
        assert lab.act(execution_id, "resume", {"comment": "looks fine"}).status_code == 200
        lab.finish(execution_id)
        assert lab.act(execution_id, "terminate-instances").status_code == 200
        cleaned = lab.finish(execution_id)
    finally:
        lab.http.delete(f"{ADMIN}/faults")
    yield FailedDrill(execution=with_servers(lab, cleaned), failed_server=failed, plan=plan)


def with_servers(lab: Lab, execution: dict[str, Any]) -> dict[str, Any]:
    """The execution's header with each wave's servers (read from its paged /servers) laid in."""
    response = lab.http.get(f"{EXECUTIONS}/{execution['id']}/servers", params={"limit": 500})
    assert response.status_code == 200, response.text
    servers = response.json()["items"]
    waves = [
        {**w, "servers": [s for s in servers if s["wave"] == w["name"]]} for w in execution["waves"]
    ]
    return {**execution, "waves": waves}
