"""Notification channels, subscriptions and deliveries over HTTP; secrets stay write-only."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from drorch.domain.webhook_signature import verify
from tests.integration.conftest import problem, unique_name
from tests.support.receivers import webhook_receiver
from tests.support.server import RunningServer

CHANNELS = "/api/v1/notification-channels"
SUBSCRIPTIONS = "/api/v1/notification-subscriptions"
DELIVERIES = "/api/v1/notifications"
SMTP_PASSWORD = "smtp-secret-93b1e6"


def webhook(client: httpx.Client, url: str) -> dict[str, Any]:
    body = {"name": unique_name("hook"), "config": {"type": "webhook", "url": url}}
    response = client.post(CHANNELS, json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def email_body(**fields: Any) -> dict[str, Any]:
    config = {
        "type": "email",
        "host": "127.0.0.1",
        "port": 2525,
        "tls": "none",
        "sender": "drorch@example.org",
        "recipients": ["oncall@example.org"],
        "username": "drorch",
    }
    return {"name": unique_name("mail"), "config": config, **fields}


def test_a_webhook_channel_shows_its_secret_once_and_tests_signed(client: httpx.Client) -> None:
    with webhook_receiver() as hook:
        created = webhook(client, hook.url)
        secret = created["signing_secret"]
        assert secret.startswith("whsec_") and created["secret_set"] is True
        shown = client.get(f"{CHANNELS}/{created['id']}")
        assert shown.headers["ETag"] == '"1"'
        assert secret not in shown.text and "signing_secret" not in shown.json()
        assert secret not in client.get(CHANNELS).text
        tested = client.post(f"{CHANNELS}/{created['id']}/test")
        assert tested.status_code == 200, tested.text
    delivery = tested.json()
    assert delivery["status"] == "DELIVERED" and delivery["kind"] == "test"
    assert [a["status_code"] for a in delivery["attempts"]] == [200]
    assert delivery["link"].endswith("/notifications")
    arrived = hook.requests[0]
    headers = arrived.headers
    assert verify(
        secret,
        headers["x-drorch-timestamp"],
        arrived.body,
        headers["x-drorch-signature"],
        now=time.time(),
    )
    listed = client.get(DELIVERIES, params={"channel_id": created["id"]}).json()["items"]
    assert [d["id"] for d in listed] == [delivery["id"]]
    assert client.get(f"{DELIVERIES}/{delivery['id']}").json() == delivery


def test_a_failing_test_send_answers_with_the_recorded_attempt(client: httpx.Client) -> None:
    with webhook_receiver(answers=[500]) as hook:
        created = webhook(client, hook.url)
        delivery = client.post(f"{CHANNELS}/{created['id']}/test").json()
    assert delivery["status"] == "FAILED"
    attempt = delivery["attempts"][0]
    assert attempt["ok"] is False and attempt["status_code"] == 500
    failed = client.get(DELIVERIES, params={"status": "FAILED", "channel_id": created["id"]})
    assert [d["id"] for d in failed.json()["items"]] == [delivery["id"]]


def test_rotating_the_secret_replaces_it_and_shows_the_new_one_once(client: httpx.Client) -> None:
    created = webhook(client, "http://127.0.0.1:9/hook")
    rotated = client.post(f"{CHANNELS}/{created['id']}/rotate-secret")
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["signing_secret"]
    assert new.startswith("whsec_") and new != created["signing_secret"]
    assert rotated.json()["version"] == 2
    mail = client.post(CHANNELS, json=email_body()).json()
    body = problem(client.post(f"{CHANNELS}/{mail['id']}/rotate-secret"), 409)
    assert "only webhook channels" in body["detail"]


def test_an_smtp_password_is_write_only_kept_and_cleared(
    client: httpx.Client, api: RunningServer
) -> None:
    response = client.post(CHANNELS, json=email_body(password=SMTP_PASSWORD))
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["secret_set"] is True and created["signing_secret"] is None
    assert SMTP_PASSWORD not in response.text
    url = f"{CHANNELS}/{created['id']}"
    renamed = {**created, "name": unique_name("renamed")}
    kept = client.put(url, json=renamed)  # no password: the stored one stays
    assert kept.status_code == 200, kept.text
    assert kept.json()["secret_set"] is True and kept.json()["version"] == 2
    cleared = client.put(url, json={**kept.json(), "password": ""}).json()
    assert cleared["secret_set"] is False
    audit = client.get("/api/v1/audit", params={"target_id": created["id"]}).json()["items"]
    assert {r["action"] for r in audit} == {
        "notification_channel.create",
        "notification_channel.update",
    }
    assert SMTP_PASSWORD not in str(audit) and SMTP_PASSWORD not in api.log()


def test_channel_changes_need_a_current_version(client: httpx.Client) -> None:
    created = webhook(client, "http://127.0.0.1:9/hook")
    url = f"{CHANNELS}/{created['id']}"
    change = {"name": unique_name("hook"), "config": created["config"]}
    problem(client.put(url, json=change), 428)
    problem(client.put(url, json={**change, "version": 5}), 412)
    problem(client.delete(url), 428)
    assert client.delete(url, headers={"If-Match": '"1"'}).status_code == 204
    problem(client.get(url), 404)


def test_bad_channels_are_refused_naming_the_field(client: httpx.Client) -> None:
    arn = {"name": unique_name("sns"), "config": {"type": "sns", "topic_arn": "arn:aws:s3:::b"}}
    body = problem(client.post(CHANNELS, json=arn), 422)
    assert "config" in str(body["errors"]) and "topic_arn" in str(body["errors"])
    hook = {
        "name": unique_name("hook"),
        "config": {"type": "webhook", "url": "http://127.0.0.1:9/x"},
        "password": "x",
    }
    body = problem(client.post(CHANNELS, json=hook), 422)
    assert body["errors"][0]["path"] == "password"
    typo = {"name": unique_name("mail"), "config": email_body()["config"], "pasword": "x"}
    assert problem(client.post(CHANNELS, json=typo), 422)["errors"][0]["path"] == "pasword"
    taken = webhook(client, "http://127.0.0.1:9/x")
    again = {"name": taken["name"].upper(), "config": taken["config"]}
    problem(client.post(CHANNELS, json=again), 409)


def test_subscriptions_name_a_real_channel_and_plan(
    client: httpx.Client, make_group: Callable[..., Any], make_plan: Callable[..., Any]
) -> None:
    channel = webhook(client, "http://127.0.0.1:9/hook")
    plan = make_plan([("w1", [make_group(tags={"app": "notify"})["id"]])])
    body = {"channel_id": "nc-missing", "plan_id": "rp-missing", "events": ["execution.failed"]}
    refused = problem(client.post(SUBSCRIPTIONS, json=body), 422)
    assert {e["path"] for e in refused["errors"]} == {"channel_id", "plan_id"}
    good = {**body, "channel_id": channel["id"], "plan_id": plan["id"]}
    created = client.post(SUBSCRIPTIONS, json=good)
    assert created.status_code == 201, created.text
    sub = created.json()
    assert created.headers["Location"] == f"{SUBSCRIPTIONS}/{sub['id']}"
    every_plan = {"channel_id": channel["id"], "events": ["execution.stuck", "readiness.failed"]}
    assert client.post(SUBSCRIPTIONS, json=every_plan).json()["plan_id"] is None
    listed = client.get(SUBSCRIPTIONS, params={"channel_id": channel["id"]}).json()
    assert len(listed) == 2
    changed = client.put(
        f"{SUBSCRIPTIONS}/{sub['id']}", json={**sub, "events": ["execution.completed"]}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["events"] == ["execution.completed"]
    problem(client.post(SUBSCRIPTIONS, json={**good, "events": ["test"]}), 422)
    problem(client.post(SUBSCRIPTIONS, json={**good, "events": ["execution.exploded"]}), 422)
    gone = client.delete(f"{SUBSCRIPTIONS}/{sub['id']}", headers={"If-Match": '"2"'})
    assert gone.status_code == 204
    # Deleting the channel takes its remaining subscription with it.
    assert (
        client.delete(f"{CHANNELS}/{channel['id']}", headers={"If-Match": "*"}).status_code == 204
    )
    assert client.get(SUBSCRIPTIONS, params={"channel_id": channel["id"]}).json() == []


def test_delivery_listing_refuses_unknown_filters_and_ids(client: httpx.Client) -> None:
    problem(client.get(DELIVERIES, params={"status": "LOST"}), 422)
    problem(client.get(DELIVERIES, params={"colour": "red"}), 422)
    problem(client.get(f"{DELIVERIES}/nt-missing"), 404)
