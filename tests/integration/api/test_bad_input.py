"""Bad input on every endpoint: always a 4xx problem+json naming the field, never a write."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from drorch.adapters.storage.sqlite import SqliteStore
from drorch.ports.store import ListQuery
from tests.integration.conftest import GROUPS, PLANS, SERVERS, group_body, plan_body, pool_ids

TWO_MIB = 2 * 1024 * 1024
G, P = "{group}", "{plan}"  # replaced by the ids of a real group and plan


@dataclass(frozen=True)
class Case:
    """One bad request and what the API must answer."""

    method: str
    path: str
    status: int
    names: str | None = None  # the field path the problem must name
    body: Any = None
    raw: bytes | None = None
    params: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


def group_with(**changes: Any) -> dict[str, Any]:
    return {**group_body("bad-input-group", ids=[SERVER]), **changes}


def plan_with(**changes: Any) -> dict[str, Any]:
    return {**plan_body("bad-input-plan", [("w", [G])]), **changes}


def guard(method: str) -> dict[str, str]:
    """Headers a request needs to get past the precondition: PUTs must name a version."""
    return {"If-Match": "*"} if method == "PUT" else {}


FORM = "application/x-www-form-urlencoded"


def body_cases(
    method: str, path: str, valid: dict[str, Any], required: str
) -> list[tuple[str, Case]]:
    """The shared body matrix for an endpoint taking JSON."""
    h = guard(method)

    def c(*args: Any, headers: dict[str, str] | None = None, **kwargs: Any) -> Case:
        return Case(*args, headers={**h, **(headers or {})}, **kwargs)

    return [
        ("malformed", c(method, path, 400, raw=b'{"name": "x",')),
        ("not-utf8", c(method, path, 400, raw=b'{"name": "\xff\xfe"}')),
        ("deep-nesting", c(method, path, 400, raw=b"[" * 200_000)),
        ("array", c(method, path, 422, body=[valid])),
        ("null", c(method, path, 422, raw=b"null")),
        ("empty-object", c(method, path, 422, required, body={})),
        ("unknown-field", c(method, path, 422, "colour", body={**valid, "colour": "red"})),
        ("too-large", c(method, path, 413, raw=b" " * TWO_MIB)),
        ("text-plain", c(method, path, 415, raw=b"name=x", headers={"content-type": "text/plain"})),
        ("form", c(method, path, 415, raw=b"name=x", headers={"content-type": FORM})),
        ("no-type", c(method, path, 415, raw=b'{"name": "x"}', headers={"content-type": ""})),
    ]


SERVER = pool_ids(1, 1500)[0]  # in the inventory; these bodies are refused before use
WAVE = {"name": "w", "protection_group_ids": [G]}
# (case name, field path the 422 must name, changes to a valid protection group)
GROUP_PROBLEMS: list[tuple[str, str, dict[str, Any]]] = [
    ("name-type", "name", {"name": 5}),
    ("name-blank", "name", {"name": "   "}),
    ("account", "account_id", {"account_id": "12"}),
    ("region", "region", {"region": "Mars"}),
    ("selection-type", "selection", {"selection": "all"}),
    ("selection-both", "selection", {"selection": {"server_ids": [], "tags": {"a": "b"}}}),
    ("selection-unknown", "selection.pick", {"selection": {"server_ids": [], "pick": 1}}),
    ("ids-type", "selection.server_ids", {"selection": {"server_ids": "s-1"}}),
    (
        "unknown-server",
        "selection.server_ids[0]",
        {"selection": {"server_ids": ["s-0000000000000beef"]}},
    ),
    ("flag-type", "launch_defaults.copy_tags", {"launch_defaults": {"copy_tags": "maybe"}}),
    (
        "instance-type",
        "launch_defaults.instance_type",
        {"launch_defaults": {"instance_type": "huge"}},
    ),
    ("subnet", "launch_defaults.subnet_id", {"launch_defaults": {"subnet_id": "net-1"}}),
    ("override-type", "server_overrides", {"server_overrides": []}),
    (
        "override-ip",
        f"server_overrides.{SERVER}.static_private_ip",
        {"server_overrides": {SERVER: {"static_private_ip": "10.0.0.999"}}},
    ),
    ("name-nul", "name", {"name": "web\x00"}),
    ("name-escape", "name", {"name": "web\x1b[31m"}),
    ("name-c1", "name", {"name": "web\x9b"}),
    ("name-del", "name", {"name": "web\x7f"}),
    ("name-bidi", "name", {"name": "web\u202egnp.exe"}),
    ("name-isolate", "name", {"name": "web\u2066x"}),
    ("description-escape", "description", {"description": "two\nlines\x1b[2J"}),
    ("tag-value-escape", "selection.tags.app", {"selection": {"tags": {"app": "a\x1bb"}}}),
]
# (case name, field path the 422 must name, changes to a valid recovery plan)
PLAN_PROBLEMS: list[tuple[str, str, dict[str, Any]]] = [
    ("name-type", "name", {"name": ["x"]}),
    ("rto-type", "rto_minutes", {"rto_minutes": "1h"}),
    ("rto-range", "rto_minutes", {"rto_minutes": 0}),
    ("waves-type", "waves", {"waves": "all"}),
    ("waves-empty", "waves", {"waves": []}),
    ("waves-many", "waves", {"waves": [WAVE] * 101}),
    ("wave-unknown", "waves[0].colour", {"waves": [{**WAVE, "colour": 1}]}),
    ("wave-pause", "waves[0].pause_before", {"waves": [{**WAVE, "pause_before": "x"}]}),
    (
        "wave-groups",
        "waves[0].protection_group_ids",
        {"waves": [{**WAVE, "protection_group_ids": G}]},
    ),
    ("wave-depends", "waves[0].depends_on", {"waves": [{**WAVE, "depends_on": "w"}]}),
    (
        "wave-group-unknown",
        "waves[0].protection_group_ids[0]",
        {"waves": [{**WAVE, "protection_group_ids": ["pg-000000000000"]}]},
    ),
    ("name-nul", "name", {"name": "plan\x00"}),
    ("name-bidi", "name", {"name": "plan\u202d"}),
    ("description-nul", "description", {"description": "tabs\tare fine, NUL\x00 is not"}),
    ("wave-name-escape", "waves[0].name", {"waves": [{**WAVE, "name": "w\x1b]0;x\x07"}]}),
    (
        "wave-depends-control",
        "waves[1].depends_on[0]",
        {"waves": [WAVE, {**WAVE, "name": "v", "depends_on": ["w\u2069"]}]},
    ),
]


def group_cases(method: str, path: str) -> list[tuple[str, Case]]:
    """The body matrix plus problems particular to protection groups."""
    particular = [
        (name, Case(method, path, 422, field, body=group_with(**changes), headers=guard(method)))
        for name, field, changes in GROUP_PROBLEMS
    ]
    return [*body_cases(method, path, group_with(), "account_id"), *particular]


def plan_cases(method: str, path: str) -> list[tuple[str, Case]]:
    """The body matrix plus problems particular to recovery plans."""
    particular = [
        (name, Case(method, path, 422, field, body=plan_with(**changes), headers=guard(method)))
        for name, field, changes in PLAN_PROBLEMS
    ]
    return [*body_cases(method, path, plan_with(), "waves"), *particular]


def query_cases(path: str) -> list[tuple[str, Case]]:
    """Query problems every list endpoint shares."""
    c = Case
    return [
        ("limit-high", c("GET", path, 422, "limit", params={"limit": 501})),
        ("limit-zero", c("GET", path, 422, "limit", params={"limit": 0})),
        ("limit-type", c("GET", path, 422, "limit", params={"limit": "ten"})),
        ("sort", c("GET", path, 422, "sort", params={"sort": "colour"})),
        ("cursor-garbage", c("GET", path, 422, "cursor", params={"cursor": "!!not-a-cursor!!"})),
        ("cursor-long", c("GET", path, 422, "cursor", params={"cursor": "a" * 3000})),
        ("search-long", c("GET", path, 422, "search", params={"search": "x" * 201})),
        # SQLite ends a pattern at NUL: the filter would match everything.
        ("search-nul", c("GET", path, 422, "search", params={"search": "\x00zzzz"})),
        ("search-escape", c("GET", path, 422, "search", params={"search": "a\x1b[31m"})),
        ("unknown-param", c("GET", path, 422, "limt", params={"limt": 5})),
        ("too-large", c("GET", path, 413, raw=b" " * TWO_MIB)),
    ]


def id_cases(path: str, body: dict[str, Any]) -> list[tuple[str, Case]]:
    """Unknown ids on GET, PUT and DELETE of one resource, and bad If-Match headers."""
    c = Case
    unknown = f"{path}/{'pg' if 'groups' in path else 'rp'}-000000000000"
    item = f"{path}/{G if 'groups' in path else P}"
    return [
        ("get-unknown", c("GET", unknown, 404)),
        ("get-garbage", c("GET", f"{path}/..%2F..%2Fetc", 404)),
        ("get-long", c("GET", f"{path}/{'x' * 5000}", 404)),
        ("put-unknown", c("PUT", unknown, 404, body=body)),
        ("delete-unknown", c("DELETE", unknown, 404)),
        (
            "put-if-match",
            c("PUT", item, 422, "If-Match", body=body, headers={"If-Match": "yesterday"}),
        ),
        ("delete-if-match", c("DELETE", item, 422, "If-Match", headers={"If-Match": "v1"})),
        ("put-no-version", c("PUT", item, 428, "If-Match", body=body)),
        ("delete-no-version", c("DELETE", item, 428, "If-Match")),
        ("put-stale", c("PUT", item, 412, body=body, headers={"If-Match": '"99"'})),
        ("put-body-version-stale", c("PUT", item, 412, body={**body, "version": 99})),
        ("delete-stale", c("DELETE", item, 412, headers={"If-Match": '"99"'})),
        (
            "put-versions-disagree",
            c("PUT", item, 422, "version", body={**body, "version": 1}, headers={"If-Match": "2"}),
        ),
        (
            "put-other-id",
            c("PUT", item, 422, "id", body={**body, "id": unknown[-15:], "version": 1}),
        ),
        (
            "put-other-created-at",
            c(
                "PUT",
                item,
                422,
                "created_at",
                body={**body, "created_at": "2020-01-01T00:00:00Z"},
                headers={"If-Match": "1"},
            ),
        ),
        ("delete-too-large", c("DELETE", item, 413, raw=b" " * TWO_MIB)),
        ("get-too-large", c("GET", item, 413, raw=b" " * TWO_MIB)),
    ]


def all_cases() -> list[Any]:
    """Every (endpoint, case) pair, as pytest params."""
    pairs = [
        *[(f"servers-{n}", k) for n, k in query_cases(SERVERS)],
        ("servers-account", Case("GET", SERVERS, 422, "account_id", params={"account_id": "x"})),
        ("servers-tag", Case("GET", SERVERS, 422, "tag[1]", params={"tag": ["a=b", "novalue"]})),
        ("servers-assigned", Case("GET", SERVERS, 422, "assigned", params={"assigned": "maybe"})),
        ("servers-tag-nul", Case("GET", SERVERS, 422, "tag", params={"tag": ["app=\x00"]})),
        ("sync-too-large", Case("POST", f"{SERVERS}/sync", 413, raw=b" " * TWO_MIB)),
        ("sync-no-drs", Case("POST", f"{SERVERS}/sync", 409, raw=b"{not json")),
        *[(f"groups-list-{n}", k) for n, k in query_cases(GROUPS)],
        ("groups-list-account", Case("GET", GROUPS, 422, "account_id", params={"account_id": "1"})),
        *[(f"groups-create-{n}", k) for n, k in group_cases("POST", GROUPS)],
        *[(f"groups-update-{n}", k) for n, k in group_cases("PUT", f"{GROUPS}/{G}")],
        *[
            (f"groups-preview-{n}", k)
            for n, k in body_cases("POST", f"{GROUPS}/preview", preview_body(), "selection")
        ],
        (
            "groups-preview-selection",
            Case(
                "POST",
                f"{GROUPS}/preview",
                422,
                "selection",
                body={**preview_body(), "selection": {}},
            ),
        ),
        *[(f"groups-{n}", k) for n, k in id_cases(GROUPS, group_with())],
        *[(f"plans-list-{n}", k) for n, k in query_cases(PLANS)],
        *[(f"plans-create-{n}", k) for n, k in plan_cases("POST", PLANS)],
        *[(f"plans-update-{n}", k) for n, k in plan_cases("PUT", f"{PLANS}/{P}")],
        *[
            (f"plans-validate-draft-{n}", k)
            for n, k in body_cases("POST", f"{PLANS}/validate", plan_with(), "waves")
        ],
        ("plans-validate-unknown", Case("POST", f"{PLANS}/rp-000000000000/validate", 404)),
        (
            "plans-validate-too-large",
            Case("POST", f"{PLANS}/{P}/validate", 413, raw=b" " * TWO_MIB),
        ),
        *[(f"plans-{n}", k) for n, k in id_cases(PLANS, plan_with())],
        ("health-too-large", Case("GET", "/health", 413, raw=b" " * TWO_MIB)),
    ]
    return [pytest.param(case, id=name) for name, case in pairs]


def preview_body() -> dict[str, Any]:
    body = group_with()
    return {k: body[k] for k in ("account_id", "region", "selection")}


@pytest.fixture(scope="module")
def targets(client: httpx.Client, pool: Callable[[int], list[str]]) -> dict[str, str]:
    """A real group and plan for the PUT, DELETE and validate cases."""
    group = client.post(GROUPS, json=group_body("bad-input-target", ids=pool(2)))
    assert group.status_code == 201, group.text
    plan = client.post(PLANS, json=plan_body("bad-input-target", [("w", [group.json()["id"]])]))
    assert plan.status_code == 201, plan.text
    return {G: group.json()["id"], P: plan.json()["id"]}


@pytest.fixture(scope="module")
def unchanged(store: SqliteStore, targets: dict[str, str]) -> Iterator[None]:
    """Fails the module when any bad request changed the stored groups, plans or members."""
    before = snapshot(store)
    yield
    assert snapshot(store) == before


def snapshot(store: SqliteStore) -> dict[str, Any]:
    """Everything a bad request could have written."""
    with store.read() as uow:
        groups = uow.groups.all()
        plans = uow.plans.page(ListQuery(limit=500)).items
        return {
            "groups": [g.model_dump_json() for g in groups],
            "members": {g.id: uow.groups.members(g.id) for g in groups},
            "plans": [p.model_dump_json() for p in plans],
        }


def fill(value: Any, ids: dict[str, str]) -> Any:
    """The value with the placeholders replaced by real ids."""
    text = json.dumps(value)
    for placeholder, real in ids.items():
        text = text.replace(placeholder, real)
    return json.loads(text)


@pytest.mark.parametrize("case", all_cases())
def test_bad_input_is_a_4xx_problem(
    client: httpx.Client, targets: dict[str, str], unchanged: None, case: Case
) -> None:
    response = send(client, case, targets)
    assert response.status_code == case.status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == case.status
    assert {"type", "title", "detail", "instance"} <= set(problem)
    if case.names is not None:
        paths = [e["path"] for e in problem.get("errors", [])]
        assert case.names in paths, problem


def send(client: httpx.Client, case: Case, ids: dict[str, str]) -> httpx.Response:
    """Send a case's request with placeholders filled in."""
    path = fill(case.path, ids)
    headers = dict(case.headers)
    if case.raw is not None:
        headers.setdefault("content-type", "application/json")
        return client.request(
            case.method, path, content=case.raw, headers=headers, params=case.params
        )
    body = None if case.body is None else fill(case.body, ids)
    return client.request(case.method, path, json=body, headers=headers, params=case.params)


def test_streamed_body_over_the_limit_is_413(client: httpx.Client, unchanged: None) -> None:
    chunks = (b" " * 65536 for _ in range(32))  # no Content-Length: counted as it arrives
    response = client.post(GROUPS, content=chunks, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
