"""Every operation of the OpenAPI spec x every role (and bad callers) against the table."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest

from drorch.adapters.identity.local import ALGORITHM, AUDIENCE, ISSUER, KEY_FILE
from drorch.domain.identity import PERMISSIONS, Permission, Role
from tests.support.server import RunningServer, api_client, ensure_user, sign_in

MUTATING = {"post", "put", "patch", "delete"}
_n = itertools.count(1)


@dataclass(frozen=True)
class Operation:
    """One method + path of the spec with what it declares."""

    method: str
    path: str
    permission: Permission | None
    action: str | None
    public: bool

    @property
    def name(self) -> str:
        """How a failure names the operation."""
        return f"{self.method.upper()} {self.path}"


@dataclass
class Caller:
    """Someone sending requests: a role's user, or a bad or missing token."""

    label: str
    role: Role | None
    token: str | None


def operations(spec: dict[str, Any]) -> list[Operation]:
    """Every operation of the spec; one that declares nothing fails here (deny by default)."""
    found = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            declared = op.get("x-drorch-permission")
            public = bool(op.get("x-drorch-public"))
            assert declared or public, f"{method.upper()} {path} declares no permission"
            found.append(
                Operation(
                    method,
                    path,
                    Permission(declared) if declared else None,
                    op.get("x-drorch-action"),
                    public,
                )
            )
    return found


def body_for(op: Operation) -> dict[str, Any] | None:
    """A body that succeeds where the caller is allowed, for the creating operations."""
    n = next(_n)
    bodies: dict[str, dict[str, Any]] = {
        "/api/v1/protection-groups": {
            "name": f"matrix-{n}",
            "account_id": "999988887777",
            "region": "eu-west-1",
            "selection": {"tags": {"matrix": str(n)}},
        },
        "/api/v1/recovery-plans": {"name": f"matrix-plan-{n}", "waves": []},
        "/api/v1/auth/api-tokens": {"name": f"matrix-{n}", "role": "viewer"},
        "/api/v1/users": {"username": f"matrix-{n}", "role": "viewer", "password": "x" * 16},
    }
    if op.method == "post" and op.path in bodies:
        return bodies[op.path]
    return {} if op.method in MUTATING else None


def call(http: httpx.Client, op: Operation, token: str | None) -> httpx.Response:
    """Send the operation with unknown ids in its path and a fresh request id."""
    path = re.sub(r"\{[^}]+\}", "x-missing", op.path)
    headers = {"X-Request-ID": f"matrix-{next(_n)}"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if op.path == "/api/v1/auth/token":
        return http.post(path, data={}, headers=headers)
    if op.path.endswith("/stream"):
        return http.get(path, headers=headers, params={"after": 0})
    return http.request(op.method.upper(), path, json=body_for(op), headers=headers)


@pytest.fixture(scope="module")
def callers(api: RunningServer) -> Iterator[list[Caller]]:
    """A signed-in user per role, plus anonymous, expired, revoked and disabled callers."""
    people = []
    for role in Role:
        user = ensure_user(api.data_dir, f"matrix-{role.value}", role)
        people.append(Caller(role.value, role, sign_in(api.base_url, user)))
    people += [
        Caller("anonymous", None, None),
        Caller("expired", None, expired_token(api)),
        Caller("revoked api token", None, revoked_api_token(api)),
        Caller("disabled user", None, disabled_user_token(api)),
        Caller("garbage", None, "not-a-token"),
    ]
    yield people


def expired_token(api: RunningServer) -> str:
    """A correctly signed access token of the admin whose time has passed."""
    key = (api.data_dir / KEY_FILE).read_bytes()
    me = httpx.get(f"{api.base_url}/api/v1/auth/me", headers=api.auth_headers).json()
    past = datetime.now(UTC) - timedelta(hours=1)
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": me["subject"],
        "sid": "rt-gone",
        "jti": "expired",
        "iat": int((past - timedelta(minutes=15)).timestamp()),
        "exp": int(past.timestamp()),
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def revoked_api_token(api: RunningServer) -> str:
    """An admin API token that was revoked."""
    with api_client(api) as http:
        created = http.post("/api/v1/auth/api-tokens", json={"name": "to-revoke"}).json()
        assert http.delete(f"/api/v1/auth/api-tokens/{created['id']}").status_code == 204
    token: str = created["token"]
    return token


def disabled_user_token(api: RunningServer) -> str:
    """The access token of an admin who was disabled after signing in."""
    user = ensure_user(api.data_dir, "matrix-disabled", Role.ADMIN)
    token = sign_in(api.base_url, user)
    with api_client(api) as http:
        found = http.get("/api/v1/users/matrix-disabled").json()
        assert http.put(f"/api/v1/users/{found['id']}", json={"enabled": False}).status_code == 200
    return token


def expected(op: Operation, caller: Caller) -> str:
    """`allowed`, `401` or `403` as the permission table says."""
    if op.public:
        return "allowed"
    if caller.role is None:
        return "401"
    assert op.permission is not None
    return "allowed" if op.permission in PERMISSIONS[caller.role] else "403"


def test_every_operation_answers_every_caller_as_the_table_says(
    api: RunningServer, callers: list[Caller]
) -> None:
    with api_client(api) as http:
        del http.headers["Authorization"]  # each call below says who it is, if anyone
        spec = http.get("/api/openapi.json").json()
        ops = operations(spec)
        # Logging out ends the caller's session, so it goes last.
        ops.sort(key=lambda op: op.path == "/api/v1/auth/logout")
        wrong: list[str] = []
        sent: list[tuple[Operation, Caller, httpx.Response]] = []
        for op, caller in itertools.product(ops, callers):
            response = call(http, op, caller.token)
            sent.append((op, caller, response))
            want, got = expected(op, caller), response.status_code
            ok = got not in (401, 403) if want == "allowed" else got == int(want)
            if not ok:
                wrong.append(f"{op.name} as {caller.label}: want {want}, got {got}")
                continue
            if want == "403":
                assert op.permission is not None
                assert response.json()["permission"] == op.permission.value, op.name
            if want == "401":
                assert response.headers["www-authenticate"].startswith("Bearer"), op.name
    assert not wrong, "\n".join(wrong)
    assert len(ops) >= 39 and {c.label for c in callers} >= {r.value for r in Role}
    check_audit(api, sent)


def check_audit(api: RunningServer, sent: list[tuple[Operation, Caller, httpx.Response]]) -> None:
    """Each mutating call of a declared action left one record with its outcome."""
    records = audit_by_request(api)
    successes = 0
    for op, caller, response in sent:
        if not op.action:
            continue
        request_id = response.headers["x-request-id"]
        found = records.get(request_id)
        assert found is not None, f"{op.name} as {caller.label} left no audit record"
        assert found["action"] == op.action and found["status"] in (None, response.status_code)
        outcome = "success" if response.status_code < 400 else None
        if outcome:
            successes += 1
            assert found["outcome"] == "success", (op.name, caller.label)
        elif response.status_code in (401, 403):
            assert found["outcome"] == "denied", (op.name, caller.label)
    # Creating groups, plans, users and tokens succeeded for the roles allowed to.
    assert successes >= 10


def audit_by_request(api: RunningServer) -> dict[str, dict[str, Any]]:
    """Every audit record of the server, keyed by request id."""
    found: dict[str, dict[str, Any]] = {}
    with api_client(api) as http:
        cursor = None
        while True:
            params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
            page = http.get("/api/v1/audit", params=params).json()
            for item in page["items"]:
                if item["request_id"]:
                    found.setdefault(item["request_id"], item)
            cursor = page["next_cursor"]
            if not cursor:
                return found
