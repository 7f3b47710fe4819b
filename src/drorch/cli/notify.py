"""`drorch notify` commands: channels, subscriptions, deliveries and a test send."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from drorch.cli.http import ApiClient, ApiUrlOption
from drorch.cli.notify_views import (
    channel_view,
    channels_table,
    deliveries_table,
    delivery_view,
    subscriptions_table,
)
from drorch.cli.output import (
    EXIT_CODES_HELP,
    EXIT_REFUSED,
    EXIT_USAGE,
    CliError,
    JsonOption,
    note,
    reports_errors,
    show,
)
from drorch.cli.resources import IfMatchOption, YesOption
from drorch.domain.notifications import SUBSCRIBABLE

CHANNELS = "/api/v1/notification-channels"
SUBSCRIPTIONS = "/api/v1/notification-subscriptions"
DELIVERIES = "/api/v1/notifications"

app = typer.Typer(
    help=f"Notifications: channels, subscriptions, delivery history. {EXIT_CODES_HELP}",
    no_args_is_help=True,
)
channels = typer.Typer(help="Where notifications go: SNS, email, webhook.", no_args_is_help=True)
subscriptions = typer.Typer(help="Which events of which plans go where.", no_args_is_help=True)
app.add_typer(channels, name="channels")
app.add_typer(subscriptions, name="subscriptions")

ChannelArgument = Annotated[str, typer.Argument(metavar="CHANNEL_ID")]
EVENTS_HELP = "An event to send (repeat): " + ", ".join(k.value for k in SUBSCRIBABLE)


@channels.command("list")
@reports_errors
def list_channels(api_url: ApiUrlOption = None, as_json: JsonOption = False) -> None:
    """List channels (secrets are never shown)."""
    with ApiClient(api_url) as client:
        found = client.get(CHANNELS).data
    show(found, as_json=as_json, render=channels_table)


@channels.command("get")
@reports_errors
def get_channel(
    channel_id: ChannelArgument, api_url: ApiUrlOption = None, as_json: JsonOption = False
) -> None:
    """Show one channel."""
    with ApiClient(api_url) as client:
        channel = client.get(f"{CHANNELS}/{channel_id}").data
    show(channel, as_json=as_json, render=channel_view)


@channels.command("add")
@reports_errors
def add_channel(
    name: Annotated[str, typer.Argument(help="A name people recognise.")],
    webhook: Annotated[str | None, typer.Option("--webhook", metavar="URL")] = None,
    sns: Annotated[str | None, typer.Option("--sns", metavar="TOPIC_ARN")] = None,
    smtp_host: Annotated[str | None, typer.Option("--smtp-host", metavar="HOST")] = None,
    smtp_port: Annotated[int, typer.Option("--smtp-port", min=1, max=65535)] = 587,
    tls: Annotated[str, typer.Option("--tls", help="none, starttls or ssl.")] = "starttls",
    sender: Annotated[str | None, typer.Option("--from", metavar="ADDRESS")] = None,
    to: Annotated[list[str] | None, typer.Option("--to", help="A recipient (repeat).")] = None,
    username: Annotated[str | None, typer.Option("--username", help="SMTP login.")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the SMTP password from stdin.")
    ] = False,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a channel: --webhook URL, --sns TOPIC_ARN, or --smtp-host HOST with --from/--to."""
    config = _config(webhook, sns, smtp_host, smtp_port, tls, sender, to, username)
    body: dict[str, Any] = {"name": name, "config": config}
    if password_stdin:
        body["password"] = sys.stdin.readline().rstrip("\r\n")
    with ApiClient(api_url) as client:
        channel = client.post(CHANNELS, body).data
    if as_json:
        show(channel, as_json=True, render=channel_view)
        return
    note(f"added channel {channel['id']} ({channel['type']})")
    _print_secret(channel)


@channels.command("enable")
@reports_errors
def enable_channel(channel_id: ChannelArgument, api_url: ApiUrlOption = None) -> None:
    """Send over this channel again."""
    _switch(channel_id, True, api_url)


@channels.command("disable")
@reports_errors
def disable_channel(channel_id: ChannelArgument, api_url: ApiUrlOption = None) -> None:
    """Stop sending over this channel (its pending deliveries wait)."""
    _switch(channel_id, False, api_url)


@channels.command("rotate-secret")
@reports_errors
def rotate_secret(channel_id: ChannelArgument, api_url: ApiUrlOption = None) -> None:
    """Give a webhook channel a new signing secret and print it (only this once)."""
    with ApiClient(api_url) as client:
        channel = client.post(f"{CHANNELS}/{channel_id}/rotate-secret").data
    note(f"new signing secret for {channel_id}; the old one no longer verifies")
    _print_secret(channel)


@channels.command("remove")
@reports_errors
def remove_channel(
    channel_id: ChannelArgument,
    yes: YesOption = False,
    if_match: IfMatchOption = None,
    api_url: ApiUrlOption = None,
) -> None:
    """Remove a channel and its subscriptions (its delivery history stays)."""
    with ApiClient(api_url) as client:
        current = client.get(f"{CHANNELS}/{channel_id}").data
        if not yes:
            typer.confirm(f"remove channel {channel_id} ({current['name']})?", abort=True)
        client.delete(f"{CHANNELS}/{channel_id}", if_match=if_match or current["version"])
    note(f"removed channel {channel_id}")


@app.command("test")
@reports_errors
def test_channel(
    channel_id: ChannelArgument, api_url: ApiUrlOption = None, as_json: JsonOption = False
) -> None:
    """Send a test notification now; exits 1 when it did not get through."""
    with ApiClient(api_url) as client:
        delivery = client.post(f"{CHANNELS}/{channel_id}/test").data
    show(delivery, as_json=as_json, render=delivery_view)
    if delivery["status"] != "DELIVERED":
        last = (delivery["attempts"] or [{}])[-1]
        raise CliError(f"test of {channel_id} failed: {last.get('error')}", EXIT_REFUSED)


@app.command("deliveries")
@reports_errors
def list_deliveries(
    delivery_id: Annotated[str | None, typer.Argument(metavar="[ID]")] = None,
    status: Annotated[str | None, typer.Option("--status", help="e.g. FAILED")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="e.g. execution.failed")] = None,
    channel: Annotated[str | None, typer.Option("--channel", metavar="CHANNEL_ID")] = None,
    subject: Annotated[str | None, typer.Option("--subject", help="e.g. an execution id")] = None,
    plan: Annotated[str | None, typer.Option("--plan", metavar="PLAN_ID")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500)] = 50,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Delivery history, newest first, with each attempt; or one delivery by ID."""
    with ApiClient(api_url) as client:
        if delivery_id:
            show(
                client.get(f"{DELIVERIES}/{delivery_id}").data,
                as_json=as_json,
                render=delivery_view,
            )
            return
        params = {
            "status": status,
            "kind": kind,
            "channel_id": channel,
            "subject_id": subject,
            "plan_id": plan,
            "limit": limit,
        }
        page = client.get(DELIVERIES, params=params).data
    show(page["items"], as_json=as_json, render=deliveries_table)


@subscriptions.command("list")
@reports_errors
def list_subscriptions(
    channel: Annotated[str | None, typer.Option("--channel", metavar="CHANNEL_ID")] = None,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """List subscriptions (of one channel)."""
    with ApiClient(api_url) as client:
        found = client.get(SUBSCRIPTIONS, params={"channel_id": channel}).data
    show(found, as_json=as_json, render=subscriptions_table)


@subscriptions.command("add")
@reports_errors
def add_subscription(
    channel: Annotated[str, typer.Option("--channel", metavar="CHANNEL_ID")],
    event: Annotated[list[str], typer.Option("--event", help=EVENTS_HELP)],
    plan: Annotated[
        str | None, typer.Option("--plan", metavar="PLAN_ID", help="Default: every plan.")
    ] = None,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Send some events of one plan (or of every plan) to a channel."""
    body = {"channel_id": channel, "plan_id": plan, "events": list(event)}
    with ApiClient(api_url) as client:
        created = client.post(SUBSCRIPTIONS, body).data
    if as_json:
        show(created, as_json=True, render=lambda s: subscriptions_table([s]))
        return
    note(f"added subscription {created['id']}")


@subscriptions.command("remove")
@reports_errors
def remove_subscription(
    subscription_id: Annotated[str, typer.Argument(metavar="SUBSCRIPTION_ID")],
    if_match: IfMatchOption = None,
    api_url: ApiUrlOption = None,
) -> None:
    """Remove a subscription."""
    with ApiClient(api_url) as client:
        current = client.get(f"{SUBSCRIPTIONS}/{subscription_id}").data
        client.delete(f"{SUBSCRIPTIONS}/{subscription_id}", if_match=if_match or current["version"])
    note(f"removed subscription {subscription_id}")


def _config(
    webhook: str | None,
    sns: str | None,
    smtp_host: str | None,
    smtp_port: int,
    tls: str,
    sender: str | None,
    to: list[str] | None,
    username: str | None,
) -> dict[str, Any]:
    """The channel config the options describe; exactly one kind must be chosen."""
    chosen = [
        kind for kind, value in (("webhook", webhook), ("sns", sns), ("email", smtp_host)) if value
    ]
    if len(chosen) != 1:
        raise CliError(
            "choose one of --webhook URL, --sns TOPIC_ARN or --smtp-host HOST", EXIT_USAGE
        )
    if webhook:
        return {"type": "webhook", "url": webhook}
    if sns:
        return {"type": "sns", "topic_arn": sns}
    if not sender or not to:
        raise CliError("an email channel needs --from ADDRESS and at least one --to", EXIT_USAGE)
    return {
        "type": "email",
        "host": smtp_host,
        "port": smtp_port,
        "tls": tls,
        "sender": sender,
        "recipients": list(to),
        "username": username,
    }


def _switch(channel_id: str, enabled: bool, api_url: str | None) -> None:
    with ApiClient(api_url) as client:
        current = client.get(f"{CHANNELS}/{channel_id}").data
        body = {"name": current["name"], "config": current["config"], "enabled": enabled}
        client.put(f"{CHANNELS}/{channel_id}", body, if_match=current["version"])
    note(f"channel {channel_id} {'enabled' if enabled else 'disabled'}")


def _print_secret(channel: dict[str, Any]) -> None:
    secret = channel.get("signing_secret")
    if secret:
        note("signing secret (shown once; receivers verify X-Drorch-Signature with it):")
        typer.echo(secret)
