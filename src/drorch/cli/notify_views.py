"""How `drorch notify` shows channels, subscriptions and deliveries."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType

from drorch.cli.output import details, table


def target(channel: dict[str, Any]) -> str:
    """Where a channel sends, in a few words."""
    config = channel["config"]
    if config["type"] == "webhook":
        return str(config["url"])
    if config["type"] == "sns":
        return str(config["topic_arn"])
    return f"{', '.join(config['recipients'])} via {config['host']}:{config['port']}"


def channels_table(found: list[dict[str, Any]]) -> RenderableType:
    """Channels as a table."""
    if not found:
        return "no channels (drorch notify channels add NAME --webhook URL)"
    rows = [
        (c["id"], c["name"], c["type"], "yes" if c["enabled"] else "no", target(c)) for c in found
    ]
    return table(["ID", "NAME", "TYPE", "ENABLED", "TARGET"], rows)


def channel_view(channel: dict[str, Any]) -> RenderableType:
    """One channel's fields (never its secret: only whether one is set)."""
    return details(
        [
            ("id", channel["id"]),
            ("name", channel["name"]),
            ("type", channel["type"]),
            ("enabled", channel["enabled"]),
            ("target", target(channel)),
            ("secret set", channel["secret_set"]),
            ("version", channel["version"]),
        ]
    )


def subscriptions_table(found: list[dict[str, Any]]) -> RenderableType:
    """Subscriptions as a table."""
    if not found:
        return "no subscriptions (drorch notify subscriptions add --channel ID --event KIND)"
    rows = [
        (
            s["id"],
            s["channel_id"],
            s["plan_id"] or "every plan",
            ", ".join(s["events"]),
            "yes" if s["enabled"] else "no",
        )
        for s in found
    ]
    return table(["ID", "CHANNEL", "PLAN", "EVENTS", "ENABLED"], rows)


def deliveries_table(found: list[dict[str, Any]]) -> RenderableType:
    """Deliveries as a table, newest first."""
    if not found:
        return "no notifications yet"
    rows = [
        (
            d["created_at"],
            d["kind"],
            d["subject"]["id"],
            d["channel_name"],
            d["status"],
            len(d["attempts"]),
            _last_error(d),
        )
        for d in found
    ]
    return table(["CREATED", "KIND", "SUBJECT", "CHANNEL", "STATUS", "TRIES", "LAST ERROR"], rows)


def delivery_view(delivery: dict[str, Any]) -> RenderableType:
    """One delivery and every attempt."""
    fields = details(
        [
            ("id", delivery["id"]),
            ("kind", delivery["kind"]),
            ("title", delivery["title"]),
            ("channel", f"{delivery['channel_name']} ({delivery['channel_type']})"),
            ("status", delivery["status"]),
            ("link", delivery["link"]),
            ("next attempt", delivery["next_attempt_at"]),
            ("delivered", delivery["delivered_at"]),
        ]
    )
    rows = [
        (a["n"], a["at"], "ok" if a["ok"] else "failed", a["status_code"], a["error"])
        for a in delivery["attempts"]
    ]
    attempts = table(["#", "AT", "RESULT", "CODE", "ERROR"], rows, title="Attempts")
    return Group(fields, attempts)


def _last_error(delivery: dict[str, Any]) -> str | None:
    attempts = delivery["attempts"]
    return attempts[-1]["error"] if attempts and not attempts[-1]["ok"] else None
