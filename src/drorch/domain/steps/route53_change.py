"""`route53_change`: UPSERT one record set, remembering the one it replaced."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from drorch.domain.common import Model
from drorch.domain.steps.base import InDrill, StepType


class AliasTarget(Model):
    """An alias record's target (a load balancer, a distribution, another record)."""

    hosted_zone_id: str = Field(min_length=1, max_length=32)
    dns_name: str = Field(min_length=1, max_length=1024)
    evaluate_target_health: bool = False


class Route53ChangeParams(Model):
    """The record to point somewhere else: values with a TTL, or an alias target."""

    zone_id: str = Field(pattern=r"^(/hostedzone/)?[A-Z0-9]{1,32}$")
    record_name: str = Field(min_length=1, max_length=1024)
    record_type: Literal["A", "AAAA", "CNAME"]
    values: list[str] = Field(default_factory=list, max_length=100)
    ttl: int = Field(default=60, ge=0, le=2147483647)
    alias: AliasTarget | None = None

    @model_validator(mode="after")
    def _values_or_alias(self) -> Route53ChangeParams:
        if bool(self.values) == (self.alias is not None):
            raise ValueError("give either values or alias, not both and not neither")
        if self.record_type == "CNAME" and len(self.values) > 1:
            raise ValueError("a CNAME record holds one value")
        return self

    @property
    def fqdn(self) -> str:
        """The record name as Route 53 returns it (with the final dot)."""
        return self.record_name if self.record_name.endswith(".") else f"{self.record_name}."


TYPE = StepType(
    name="route53_change",
    params=Route53ChangeParams,
    drill_default=InDrill.SKIP,  # a drill never moves production DNS unless the plan says run
    undoable=True,
    summary="UPSERT a Route 53 record set; undo puts the previous one back (or deletes it).",
)
