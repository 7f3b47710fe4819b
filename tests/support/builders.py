"""Builders of domain objects for tests."""

from __future__ import annotations

import itertools
from typing import Any

from drorch.domain.groups import GroupDraft, Selection
from drorch.domain.inventory import SourceServer
from drorch.domain.plans import PlanDraft, Wave

ACCOUNT = "111122223333"
REGION = "us-east-1"
_serial = itertools.count(1)


def server_id(n: int) -> str:
    """A valid DRS source server id for the number n."""
    return f"s-{n:017x}"


def server(n: int | None = None, **fields: Any) -> SourceServer:
    """A source server in the default scope, overridable field by field."""
    n = next(_serial) if n is None else n
    base: dict[str, Any] = {
        "id": server_id(n),
        "account_id": ACCOUNT,
        "region": REGION,
        "hostname": f"host-{n:04d}",
        "tags": {},
    }
    return SourceServer(**{**base, **fields})


def group_draft(
    name: str, *, ids: list[str] | None = None, tags: dict[str, str] | None = None, **fields: Any
) -> GroupDraft:
    """A group draft selecting explicit ids or tags."""
    selection = Selection(server_ids=ids) if ids is not None else Selection(tags=tags)
    base: dict[str, Any] = {
        "name": name,
        "account_id": ACCOUNT,
        "region": REGION,
        "selection": selection,
    }
    return GroupDraft(**{**base, **fields})


def plan_draft(name: str, waves: list[tuple[str, list[str]]], **fields: Any) -> PlanDraft:
    """A plan draft with waves given as (name, group ids), each depending on the previous."""
    return PlanDraft(
        name=name, waves=[Wave(name=w, protection_group_ids=g) for w, g in waves], **fields
    )
