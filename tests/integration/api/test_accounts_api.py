"""/api/v1/accounts over HTTP: register, read, change, remove, and groups that need them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from drorch.adapters.storage.sqlite import SqliteStore
from tests.integration.conftest import GROUPS, group_body, problem

ACCOUNTS = "/api/v1/accounts"
_next = iter(range(1, 10_000))


def fresh_id() -> str:
    """An account id no other test registers (and no test fixture either)."""
    return f"5555{next(_next):08d}"


def register(client: httpx.Client, account_id: str, **fields: Any) -> httpx.Response:
    body = {"account_id": account_id, "name": f"acct-{account_id}", "regions": ["us-east-1"]}
    return client.post(ACCOUNTS, json={**body, **fields})


def test_register_generates_a_role_an_external_id_and_the_deploy_command(
    client: httpx.Client,
) -> None:
    account_id = fresh_id()
    response = register(client, account_id, regions=["us-east-1", "eu-west-1"])
    assert response.status_code == 201, response.text
    account = response.json()
    assert response.headers["Location"] == f"{ACCOUNTS}/{account_id}"
    assert response.headers["ETag"] == '"1"'
    assert account["role_arn"] == f"arn:aws:iam::{account_id}:role/drorch-target"
    assert account["status"] == "UNVERIFIED" and account["last_verification"] is None
    assert account["external_id"].startswith("drorch-") and len(account["external_id"]) > 30
    command = account["deploy_command"]
    assert command.startswith("aws cloudformation deploy --template-file infra/target-account")
    assert f"ExternalId={account['external_id']}" in command and "\n" not in command
    other = register(client, fresh_id()).json()
    assert other["external_id"] != account["external_id"]
    assert client.get(f"{ACCOUNTS}/{account_id}").json() == account
    listed = [a["account_id"] for a in client.get(ACCOUNTS).json()]
    assert account_id in listed and other["account_id"] in listed


def test_registering_an_account_twice_is_a_conflict(client: httpx.Client) -> None:
    account_id = fresh_id()
    assert register(client, account_id).status_code == 201
    body = problem(register(client, account_id), 409)
    assert account_id in body["detail"]


def test_bad_input_names_the_field_and_the_account(client: httpx.Client) -> None:
    body = problem(register(client, "12345"), 422)
    assert body["errors"][0]["path"] == "account_id" and "12345" in body["detail"]
    body = problem(register(client, fresh_id(), regions=["us-east-9"]), 422)
    assert "us-east-9" in str(body["errors"])
    account_id = fresh_id()
    wrong = "arn:aws:iam::999999999999:role/drorch-target"
    body = problem(register(client, account_id, role_arn=wrong), 422)
    assert body["errors"][0]["path"] == "role_arn"
    assert "999999999999" in body["detail"] and account_id in body["detail"]
    assert client.get(f"{ACCOUNTS}/{account_id}").status_code == 404


def test_update_needs_a_version_and_refuses_a_stale_one(client: httpx.Client) -> None:
    account_id = fresh_id()
    account = register(client, account_id).json()
    change = {"name": "renamed", "regions": ["us-west-2"]}
    assert problem(client.put(f"{ACCOUNTS}/{account_id}", json=change), 428)
    stale = {**change, "version": 7}
    assert problem(client.put(f"{ACCOUNTS}/{account_id}", json=stale), 412)
    echoed = {**account, **change}
    response = client.put(f"{ACCOUNTS}/{account_id}", json=echoed)
    assert response.status_code == 200, response.text
    updated = response.json()
    assert (updated["name"], updated["regions"], updated["version"]) == (
        "renamed",
        ["us-west-2"],
        2,
    )
    assert updated["external_id"] == account["external_id"]  # never changes
    forged = {**updated, "external_id": "drorch-mine"}
    assert problem(client.put(f"{ACCOUNTS}/{account_id}", json=forged), 422)


def test_a_group_needs_a_registered_account(client: httpx.Client, store: SqliteStore) -> None:
    account_id = fresh_id()
    body = problem(
        client.post(GROUPS, json=group_body(account_id=account_id, tags={"a": "b"})), 422
    )
    assert body["errors"] == [
        {"path": "account_id", "message": f"account {account_id} is not registered"}
    ]
    with store.read() as uow:
        assert uow.groups.in_account(account_id) == []
    register(client, account_id)
    created = client.post(GROUPS, json=group_body(account_id=account_id, tags={"a": "b"}))
    assert created.status_code == 201, created.text


def test_removing_an_account_a_group_uses_is_a_conflict_naming_the_group(
    client: httpx.Client, make_group: Callable[..., dict[str, Any]]
) -> None:
    account_id = fresh_id()
    register(client, account_id)
    group = make_group(account_id=account_id, tags={"app": "none"})
    item = f"{ACCOUNTS}/{account_id}"
    assert problem(client.delete(item), 428)
    body = problem(client.delete(item, headers={"If-Match": '"1"'}), 409)
    assert group["name"] in body["detail"]
    assert body["conflicts"] == [{"group_id": group["id"], "group_name": group["name"]}]
    deleted = client.delete(f"{GROUPS}/{group['id']}", headers={"If-Match": '"1"'})
    assert deleted.status_code == 204, deleted.text
    assert client.delete(item, headers={"If-Match": '"1"'}).status_code == 204
    assert client.get(item).status_code == 404


def test_verify_without_any_way_to_aws_is_refused_plainly(client: httpx.Client) -> None:
    account_id = fresh_id()
    register(client, account_id)
    body = problem(client.post(f"{ACCOUNTS}/{account_id}/verify"), 409)
    assert "no way to reach AWS accounts" in body["detail"]
    assert problem(client.post(f"{ACCOUNTS}/{fresh_id()}/verify"), 404)
