"""Sign-in, sessions, API tokens, request ids and audit records over a real server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from drorch.adapters.storage.sqlite import SqliteStore
from drorch.domain.identity import PERMISSIONS, Role
from tests.integration.conftest import GROUPS, group_body, problem, unique_name
from tests.support.server import (
    RunningServer,
    api_client,
    ensure_user,
    running_server,
    sign_in,
)

TOKEN = "/api/v1/auth/token"
ME = "/api/v1/auth/me"
TOKENS = "/api/v1/auth/api-tokens"


def audit(api: RunningServer, **filters: Any) -> list[dict[str, Any]]:
    """Audit records matching the filters, newest first."""
    with api_client(api) as http:
        items: list[dict[str, Any]] = http.get("/api/v1/audit", params=filters).json()["items"]
    return items


def test_sign_in_answers_tokens_and_me_names_the_user(api: RunningServer) -> None:
    user = ensure_user(api.data_dir, unique_name("signin"), Role.PLAN_MANAGER)
    with api_client(api) as http:
        del http.headers["Authorization"]
        form = {"username": user.username, "password": user.password}
        answer = http.post(TOKEN, data=form).json()
        assert answer["token_type"] == "bearer" and answer["expires_in"] > 0
        assert answer["refresh_token"].startswith("drr_")
        me = http.get(ME, headers={"Authorization": f"Bearer {answer['access_token']}"}).json()
    assert me["username"] == user.username and me["role"] == "plan_manager"
    assert set(me["permissions"]) == {p.value for p in PERMISSIONS[Role.PLAN_MANAGER]}
    assert answer["user"] == me


def test_a_wrong_password_is_401_and_audited_without_the_password(api: RunningServer) -> None:
    user = ensure_user(api.data_dir, unique_name("wrong"), Role.VIEWER)
    with api_client(api) as http:
        del http.headers["Authorization"]
        refused = http.post(TOKEN, data={"username": user.username, "password": "not-it-at-all"})
    body = problem(refused, 401)
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert "not-it-at-all" not in refused.text and body["type"].endswith("unauthenticated")
    [failed] = audit(api, action="auth.sign_in_failed", principal=user.username)
    assert failed["outcome"] == "denied" and failed["client"] == "127.0.0.1"
    assert "not-it-at-all" not in str(failed)


def test_refresh_rotates_and_logout_ends_the_session(api: RunningServer) -> None:
    user = ensure_user(api.data_dir, unique_name("session"), Role.VIEWER)
    with api_client(api) as http:
        del http.headers["Authorization"]
        first = http.post(TOKEN, data={"username": user.username, "password": user.password})
        tokens = first.json()
        second = http.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert (
            second.status_code == 200 and second.json()["refresh_token"] != tokens["refresh_token"]
        )
        bearer = {"Authorization": f"Bearer {second.json()['access_token']}"}
        assert http.post("/api/v1/auth/logout", headers=bearer).status_code == 204
        problem(http.get(ME, headers=bearer), 401)
        again = http.post(
            "/api/v1/auth/refresh", json={"refresh_token": second.json()["refresh_token"]}
        )
        problem(again, 401)


def test_api_tokens_are_shown_once_capped_and_revocable(api: RunningServer) -> None:
    user = ensure_user(api.data_dir, unique_name("robot"), Role.OPERATOR)
    with api_client(api, token=sign_in(api.base_url, user)) as http:
        too_strong = http.post(TOKENS, json={"name": "ci", "role": "plan_manager"})
        assert problem(too_strong, 403)["detail"].startswith("an API token cannot have more")
        made = http.post(TOKENS, json={"name": "ci", "role": "viewer", "expires_in_days": 7})
        assert made.status_code == 201, made.text
        created = made.json()
        listed = http.get(TOKENS).json()
        assert [t["id"] for t in listed] == [created["id"]] and "token" not in listed[0]
        problem(http.post(TOKENS, json={"name": "x", "expires_in_days": 366}), 422)
    with api_client(api, token=created["token"]) as robot:
        assert robot.get(ME).json()["role"] == "viewer"
        denied = problem(robot.post("/api/v1/source-servers/sync"), 403)
        assert denied["permission"] == "servers:sync" and denied["role"] == "viewer"
        assert robot.delete(f"{TOKENS}/{created['id']}").status_code == 204
        problem(robot.get(ME), 401)


def test_admins_see_every_token_and_others_may_not(api: RunningServer) -> None:
    user = ensure_user(api.data_dir, unique_name("peek"), Role.RECOVERY_MANAGER)
    with api_client(api, token=sign_in(api.base_url, user)) as http:
        assert (
            problem(http.get(TOKENS, params={"all": "true"}), 403)["permission"] == "tokens:admin"
        )
    with api_client(api) as admin:
        assert admin.get(TOKENS, params={"all": "true"}).status_code == 200


def test_recovery_starts_and_user_admin_need_more_than_a_drill(api: RunningServer) -> None:
    user = ensure_user(api.data_dir, unique_name("op"), Role.OPERATOR)
    with api_client(api, token=sign_in(api.base_url, user)) as http:
        recovery = http.post("/api/v1/executions", json={"plan_id": "nope", "type": "RECOVERY"})
        assert problem(recovery, 403)["permission"] == "recoveries:start"
        drill = http.post("/api/v1/executions", json={"plan_id": "nope", "type": "DRILL"})
        problem(drill, 404)
        assert problem(http.get("/api/v1/users"), 403)["permission"] == "users:read"


def test_request_ids_are_kept_when_safe_and_made_otherwise(client: httpx.Client) -> None:
    kept = client.get(ME, headers={"X-Request-ID": "trace-42.a"})
    assert kept.headers["x-request-id"] == "trace-42.a"
    made = client.get(ME, headers={"X-Request-ID": "<script>" * 3})
    assert made.headers["x-request-id"] not in ("", "<script>" * 3)
    assert len(made.headers["x-request-id"]) == 16


def test_a_refused_change_leaves_its_refusal_and_nothing_else(
    api: RunningServer, client: httpx.Client, store: SqliteStore
) -> None:
    name = unique_name("dup")
    first = client.post(GROUPS, json=group_body(name, tags={"dup": name}))
    assert first.status_code == 201
    clash = client.post(
        GROUPS, json=group_body(name, tags={"dup": name}), headers={"X-Request-ID": f"clash-{name}"}
    )
    problem(clash, 409)
    records = [
        r for r in audit(api, action="group.create", limit=50) if r["request_id"] == f"clash-{name}"
    ]
    assert [(r["outcome"], r["status"], r["username"]) for r in records] == [
        ("refused", 409, "admin")
    ]
    with store.read() as uow:
        assert [g.name for g in uow.groups.all()].count(name) == 1


def test_the_audit_log_filters_and_pages(api: RunningServer, client: httpx.Client) -> None:
    tag = unique_name("audited")
    made = [
        client.post(GROUPS, json=group_body(f"{tag}-{n}", tags={"a": f"{tag}-{n}"})).json()
        for n in range(3)
    ]
    first = client.get("/api/v1/audit", params={"action": "group.create", "limit": 2}).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    assert [r["target_id"] for r in first["items"]] == [made[2]["id"], made[1]["id"]]
    rest = client.get(
        "/api/v1/audit",
        params={"action": "group.create", "limit": 2, "cursor": first["next_cursor"]},
    ).json()
    assert rest["items"][0]["target_id"] == made[0]["id"]
    one = client.get("/api/v1/audit", params={"target_id": made[1]["id"]}).json()["items"]
    assert [r["action"] for r in one] == ["group.create"] and one[0]["detail"]["name"] == f"{tag}-1"
    problem(client.get("/api/v1/audit", params={"outcome": "maybe"}), 422)


def test_lockout_is_429_with_retry_after(data_dir: Path) -> None:
    env = {"DRORCH_LOGIN_MAX_FAILURES": "3"}
    with running_server(data_dir, env=env) as server, api_client(server) as http:
        del http.headers["Authorization"]
        form = {"username": "admin", "password": "wrong-password-x"}
        answers = [http.post(TOKEN, data=form).status_code for _ in range(4)]
        assert answers == [401, 401, 429, 429]
        locked = http.post(TOKEN, data={"username": "admin", "password": server.admin.password})
        assert problem(locked, 429)["retry_after"] > 0
        assert 0 < int(locked.headers["retry-after"]) <= 15 * 60


def test_no_password_or_token_reaches_the_server_log(data_dir: Path) -> None:
    secrets_used: list[str] = []
    env = {"DRORCH_LOG_LEVEL": "DEBUG"}  # the access log too
    with running_server(data_dir, env=env) as server, api_client(server) as http:
        secrets_used += [server.admin.password, server.token]
        bob = ensure_user(server.data_dir, "bob", Role.OPERATOR)
        session = http.post(TOKEN, data={"username": "bob", "password": bob.password}).json()
        secrets_used += [bob.password, session["access_token"], session["refresh_token"]]
        wrong = {"username": "bob", "password": "wrong-but-secret-1"}
        http.post(TOKEN, data=wrong, headers={"X-Request-ID": "scan-1"})
        secrets_used.append("wrong-but-secret-1")
        renewed = http.post(
            "/api/v1/auth/refresh", json={"refresh_token": session["refresh_token"]}
        )
        secrets_used += [renewed.json()["access_token"], renewed.json()["refresh_token"]]
        http.post("/api/v1/auth/refresh", json={"refresh_token": session["refresh_token"]})
        robot = http.post(TOKENS, json={"name": "ci"}).json()["token"]
        secrets_used.append(robot)
        http.get(ME, headers={"Authorization": f"Bearer {robot}"})
        created = http.post(
            "/api/v1/users",
            json={"username": "carol", "role": "viewer", "password": "carols-secret-1"},
        ).json()
        http.post(f"/api/v1/users/{created['id']}/password", json={"password": "carols-secret-2"})
        secrets_used += ["carols-secret-1", "carols-secret-2"]
    log = server.log()
    assert "POST /api/v1/auth/token" in log  # the access log was on
    assert "[scan-1]: sign-in refused for 'bob' from 127.0.0.1: bad credentials" in log
    leaked = [s for s in secrets_used if s and s in log]
    assert not leaked, f"{len(leaked)} secret(s) in the server log"
    # The secret halves of opaque tokens are the part that must never appear.
    assert not [s for s in secrets_used if "." in s and s.rsplit(".", 1)[1] in log]
