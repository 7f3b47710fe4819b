"""`drorch notify` against the session's server: channels, subscriptions, test, deliveries."""

from __future__ import annotations

import time

from drorch.domain.webhook_signature import verify
from tests.integration.cli.conftest import Cli
from tests.integration.conftest import unique_name
from tests.support.receivers import webhook_receiver


def test_a_webhook_channel_round_trip(cli: Cli) -> None:
    name = unique_name("cli-hook")
    with webhook_receiver(answers=[200, 502]) as hook:
        added = cli("notify", "channels", "add", name, "--webhook", hook.url)
        assert added.exit_code == 0, added.stderr
        secret = added.stdout.strip()
        assert secret.startswith("whsec_") and "added channel nc-" in added.stderr
        listed = cli("notify", "channels", "list", "--json").json()
        channel = next(c for c in listed if c["name"] == name)
        assert secret not in str(listed) and channel["secret_set"] is True
        ok = cli("notify", "test", channel["id"])
        assert ok.exit_code == 0, ok.stderr
        assert "DELIVERED" in ok.stdout
        refused = cli("notify", "test", channel["id"])
        assert refused.exit_code == 1
        assert "HTTP 502" in refused.error_line()
    arrived = hook.requests[0]
    assert verify(
        secret,
        arrived.headers["x-drorch-timestamp"],
        arrived.body,
        arrived.headers["x-drorch-signature"],
        now=time.time(),
    )
    history = cli("notify", "deliveries", "--channel", channel["id"], "--json").json()
    assert [d["status"] for d in history] == ["FAILED", "DELIVERED"]
    one = cli("notify", "deliveries", history[1]["id"])
    assert one.exit_code == 0 and "Attempts" in one.stdout
    failed = cli("notify", "deliveries", "--channel", channel["id"], "--status", "FAILED")
    assert failed.exit_code == 0 and "HTTP 502" in failed.stdout


def test_subscriptions_and_switches_round_trip(cli: Cli) -> None:
    added = cli("notify", "channels", "add", unique_name("h"), "--webhook", "http://127.0.0.1:9/x")
    channel_id = added.stderr.split("added channel ")[1].split()[0]
    sub = cli(
        "notify",
        "subscriptions",
        "add",
        "--channel",
        channel_id,
        "--event",
        "execution.failed",
        "--event",
        "execution.stuck",
        "--json",
    ).json()
    assert sub["events"] == ["execution.failed", "execution.stuck"] and sub["plan_id"] is None
    listed = cli("notify", "subscriptions", "list", "--channel", channel_id)
    assert "every plan" in listed.stdout and sub["id"] in listed.stdout
    bad = cli("notify", "subscriptions", "add", "--channel", channel_id, "--event", "nope")
    assert bad.exit_code == 1 and "events" in bad.error_line()
    assert cli("notify", "channels", "disable", channel_id).exit_code == 0
    assert cli("notify", "channels", "get", channel_id, "--json").json()["enabled"] is False
    assert cli("notify", "channels", "enable", channel_id).exit_code == 0
    assert cli("notify", "subscriptions", "remove", sub["id"]).exit_code == 0
    assert cli("notify", "channels", "remove", channel_id, "--yes").exit_code == 0
    gone = cli("notify", "channels", "get", channel_id)
    assert gone.exit_code == 1 and "does not exist" in gone.error_line()


def test_an_email_password_comes_from_stdin_and_is_never_printed(cli: Cli) -> None:
    password = "stdin-secret-55c1"
    added = cli(
        "notify",
        "channels",
        "add",
        unique_name("mail"),
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        "2525",
        "--tls",
        "none",
        "--from",
        "drorch@example.org",
        "--to",
        "oncall@example.org",
        "--username",
        "drorch",
        "--password-stdin",
        "--json",
        input=f"{password}\n",
    )
    assert added.exit_code == 0, added.stderr
    assert added.json()["secret_set"] is True and password not in added.stdout
    shown = cli("notify", "channels", "get", added.json()["id"])
    assert password not in shown.stdout and "oncall@example.org" in shown.stdout


def test_choosing_no_or_two_kinds_of_channel_is_a_usage_error(cli: Cli) -> None:
    none = cli("notify", "channels", "add", "x")
    assert none.exit_code == 2 and "--webhook" in none.error_line()
    both = cli("notify", "channels", "add", "x", "--webhook", "http://h/", "--sns", "arn")
    assert both.exit_code == 2
    mail = cli("notify", "channels", "add", "x", "--smtp-host", "h")
    assert mail.exit_code == 2 and "--from" in mail.error_line()
