"""GET /api/v1/doctor on a real server: the checklist, and who may read it."""

from __future__ import annotations

import httpx

from drorch.domain.identity import Role
from tests.integration.conftest import problem, unique_name
from tests.support.server import RunningServer, api_client, ensure_user, sign_in

DOCTOR = "/api/v1/doctor"
NAMES = {
    "store",
    "executions_overdue",
    "executions_stalled",
    "leases",
    "drill_cleanup",
    "replication",
}


def test_the_checklist_names_every_check_and_its_worst_status(client: httpx.Client) -> None:
    response = client.get(DOCTOR)
    assert response.status_code == 200
    found = response.json()
    names = {c["name"] for c in found["checks"]}
    assert names >= NAMES
    assert any(n.startswith("quota ") for n in names)
    # The standard inventory has STALLED servers: replication fails, so the whole report does.
    replication = next(c for c in found["checks"] if c["name"] == "replication")
    assert replication["status"] == "fail"
    assert "servers sync" in replication["message"]
    assert found["status"] == "fail"


def test_a_viewer_may_read_it(api: RunningServer) -> None:
    viewer = ensure_user(api.data_dir, unique_name("doc-viewer"), Role.VIEWER)
    with api_client(api, token=sign_in(api.base_url, viewer)) as http:
        assert http.get(DOCTOR).status_code == 200


def test_without_a_token_it_is_401(api: RunningServer) -> None:
    with api_client(api, token="not-a-token") as http:
        problem(http.get(DOCTOR), 401)
