"""/api/v1/action-types: each type with its parameters' JSON schema (the UI's forms)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from drorch.api.security import require
from drorch.domain.identity import Permission, Principal
from drorch.domain.steps.base import InDrill
from drorch.domain.steps.registry import step_types

router = APIRouter(prefix="/api/v1/action-types", tags=["recovery-plans"])


class ActionTypeRead(BaseModel):
    """An action type: what it does, its drill default, whether cleanup undoes it, its params."""

    name: str
    summary: str
    drill_default: InDrill
    undoable: bool
    uses_account: bool = Field(description="False: it calls no AWS service (no account).")
    params_schema: dict[str, Any] = Field(description="JSON schema of `params`.")


@router.get("")
def list_action_types(
    _: Annotated[Principal, require(Permission.PLANS_READ)],
) -> list[ActionTypeRead]:
    """Every action type, by name."""
    return [
        ActionTypeRead(
            name=t.name,
            summary=t.summary,
            drill_default=t.drill_default,
            undoable=t.undoable,
            uses_account=t.uses_account,
            params_schema=t.params.model_json_schema(),
        )
        for t in step_types().values()
    ]
