"""The DynamoDB store adapter (on AWS): the store port over one table, client injected."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from drorch.adapters.storage.dynamodb import gauges
from drorch.adapters.storage.dynamodb.executions import DynamoExecutions
from drorch.adapters.storage.dynamodb.groups import DynamoGroups
from drorch.adapters.storage.dynamodb.identity import (
    DynamoAccounts,
    DynamoAudit,
    DynamoSignIns,
    DynamoTokens,
    DynamoUsers,
    read_epoch,
)
from drorch.adapters.storage.dynamodb.notifications import DynamoNotifications
from drorch.adapters.storage.dynamodb.plans import DynamoPlans
from drorch.adapters.storage.dynamodb.readiness import DynamoReadiness
from drorch.adapters.storage.dynamodb.schedules import DynamoSchedules
from drorch.adapters.storage.dynamodb.servers import DynamoServers
from drorch.adapters.storage.dynamodb.table import Table
from drorch.adapters.storage.dynamodb.tables import ensure_tables, table_name
from drorch.adapters.storage.dynamodb.unit import Unit
from drorch.adapters.storage.paging import Cursors
from drorch.ports.metrics import EngineQueue
from drorch.ports.store import StoreHealth

__all__ = ["DynamoStore", "DynamoUnitOfWork", "ensure_tables"]


class DynamoUnitOfWork:
    """The repositories of one DynamoDB unit of work."""

    def __init__(self, unit: Unit, cursors: Cursors) -> None:
        self.unit = unit
        self.servers = DynamoServers(unit, cursors)
        self.groups = DynamoGroups(unit, cursors)
        self.plans = DynamoPlans(unit, cursors)
        self.executions = DynamoExecutions(unit, cursors)
        self.users = DynamoUsers(unit)
        self.tokens = DynamoTokens(unit)
        self.sign_ins = DynamoSignIns(unit)
        self.audit = DynamoAudit(unit, cursors)
        self.accounts = DynamoAccounts(unit)
        self.notifications = DynamoNotifications(unit, cursors)
        self.readiness = DynamoReadiness(unit, cursors)
        self.schedules = DynamoSchedules(unit, cursors)


class DynamoStore:
    """Store port over one DynamoDB table (`<prefix>-store`), through an injected client."""

    def __init__(
        self,
        client: Any,
        *,
        prefix: str = "drorch",
        cursor_key: bytes | None = None,
        create: bool = True,
    ) -> None:
        created = ensure_tables(client, prefix) if create else []
        self.table = Table(client, table_name(prefix))
        if created:
            gauges.seed(self.table)
        self.cursors = Cursors(cursor_key)
        # A read inside this thread's open transaction joins it, as SQLite's does.
        self._open: ContextVar[DynamoUnitOfWork | None] = ContextVar(
            f"drorch_dynamo_{id(self)}", default=None
        )

    @contextmanager
    def transaction(self) -> Iterator[DynamoUnitOfWork]:
        """A unit of work whose writes commit together when the block ends."""
        outer = self._open.get()
        if outer is not None:
            yield outer  # nested: the outer unit commits
            return
        uow = DynamoUnitOfWork(Unit(self.table, write=True), self.cursors)
        token = self._open.set(uow)
        try:
            yield uow
        except BaseException:
            uow.unit.abandon()  # nothing buffered was written; take back what was at once
            raise
        finally:
            self._open.reset(token)
        uow.unit.commit()

    @contextmanager
    def read(self) -> Iterator[DynamoUnitOfWork]:
        """Reads (strongly consistent on the table; indexes are eventually consistent)."""
        outer = self._open.get()
        yield (
            outer
            if outer is not None
            else DynamoUnitOfWork(Unit(self.table, write=False), self.cursors)
        )

    def identity_epoch(self) -> int:
        """The counter every user, API-token or session change moves (the principal cache's)."""
        return read_epoch(self.table)

    def execution_counts(self) -> dict[tuple[str, str], int]:
        """(type, status) -> executions, for the metrics endpoint."""
        return gauges.execution_counts(self.table)

    def engine_queue(self, now: datetime) -> EngineQueue:
        """The engine's due-time queue as of `now`, for the metrics endpoint."""
        return gauges.engine_queue(self.table, now)

    def ping(self) -> None:
        """Raise when the table cannot be described."""
        self.table.describe()

    def health(self) -> StoreHealth:
        """The table's status (ACTIVE is healthy) and its size as DynamoDB reports it."""
        described = self.table.describe()
        status = str(described.get("TableStatus", "UNKNOWN"))
        size = int(described.get("TableSizeBytes", 0))
        return StoreHealth(
            ok=status == "ACTIVE", detail="ok" if status == "ACTIVE" else status, size_bytes=size
        )

    def close(self) -> None:
        """Nothing to close: the client's connections belong to its session."""
