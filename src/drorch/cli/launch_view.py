"""The launch settings each server of an execution was launched with, as a table."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import RenderableType

from drorch.cli.output import table

COLUMNS = [
    "SERVER",
    "SUBNET",
    "SECURITY GROUPS",
    "TYPE",
    "STATIC IP",
    "COPY IP",
    "COPY TAGS",
    "BYOL",
    "RIGHT-SIZING",
    "DISPOSITION",
    "TEMPLATE",
    "CHANGED",
]


def launch_settings_table(servers: Iterable[dict[str, Any]]) -> RenderableType | None:
    """One row per server that has launched with recorded settings (None when none has)."""
    rows = [
        _row(server["source_server_id"], server["launch_settings"])
        for server in servers
        if server.get("launch_settings")
    ]
    if not rows:
        return None
    return table(COLUMNS, rows, title="Launch settings")


def _row(server_id: str, record: dict[str, Any]) -> list[Any]:
    wanted = record["wanted"]
    template = record.get("template_id")
    version = record.get("template_version")
    shown = f"{template} v{version}" if template and version else template
    changed = "yes" if record.get("changed") else "no"
    if record.get("state") != "APPLIED":
        changed = f"{record.get('state')}: {record.get('error') or ''}".strip()
    return [
        server_id,
        wanted.get("subnet_id"),
        ", ".join(wanted.get("security_group_ids") or []) or None,
        wanted.get("instance_type"),
        wanted.get("static_private_ip"),
        wanted.get("copy_private_ip"),
        wanted.get("copy_tags"),
        wanted.get("byol"),
        wanted.get("right_sizing"),
        wanted.get("launch_disposition"),
        shown,
        changed,
    ]
