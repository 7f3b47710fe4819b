"""Keys and helpers shared by the inventory, protection-group and recovery-plan repositories."""

from __future__ import annotations

import json

from drorch.adapters.storage.dynamodb.common import joined

SERVERS, GROUPS, PLANS = "srv", "grp", "plan"
DOC_INDEXES: dict[str, str | None] = {"name": "g1", "created_at": "g2", "id": None}


def dump(value: object) -> str:
    """Compact JSON, non-ASCII kept as is (what the listings embed)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def doc_extra(name: str, item_id: str, created: str, kind: str) -> dict[str, str]:
    """The index attributes of a named document: g1 by name, g2 by creation time."""
    return {
        "g1pk": kind,
        "g1sk": joined(name.lower(), item_id),
        "g2pk": kind,
        "g2sk": joined(created, item_id),
    }
