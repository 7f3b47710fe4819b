"""`dynamodb_restore`: restore a table (point in time, latest, or a backup) into a new table."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, model_validator

from drorch.domain.common import Model
from drorch.domain.steps.base import InDrill, StepType

TABLE_NAME = r"^[a-zA-Z0-9_.-]{3,255}$"


class DynamodbRestoreParams(Model):
    """Where to restore from (exactly one of the three sources) and the new table's name."""

    source_table: str | None = Field(default=None, pattern=TABLE_NAME)
    target_table: str = Field(pattern=TABLE_NAME, description="The new table; the natural key.")
    point_in_time: datetime | None = Field(default=None, description="Restore to this moment.")
    latest: bool = Field(default=False, description="Restore to the latest restorable time.")
    backup_arn: str | None = Field(default=None, pattern=r"^arn:aws[\w-]*:dynamodb:")
    enable_pitr: bool = Field(default=False, description="Turn on PITR on the new table.")

    @model_validator(mode="after")
    def _one_source(self) -> DynamodbRestoreParams:
        chosen = [self.point_in_time is not None, self.latest, self.backup_arn is not None]
        if sum(chosen) != 1:
            raise ValueError("give exactly one of point_in_time, latest or backup_arn")
        if self.backup_arn is None and self.source_table is None:
            raise ValueError("source_table is required to restore to a point in time")
        if self.source_table == self.target_table:
            raise ValueError("target_table must differ from source_table")
        return self


TYPE = StepType(
    name="dynamodb_restore",
    params=DynamodbRestoreParams,
    drill_default=InDrill.RUN,  # it creates a new table and touches nothing that exists
    undoable=True,
    summary="Restore a DynamoDB table into a new table; undo deletes the restored table.",
)
