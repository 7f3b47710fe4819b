"""The store port: repositories grouped in a unit of work (one transaction per use case)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from drorch.domain.groups import ProtectionGroup
from drorch.domain.inventory import SourceServer
from drorch.domain.plans import RecoveryPlan

T = TypeVar("T")
MAX_PAGE_SIZE = 500


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list and the cursor of the next one (None on the last page)."""

    items: list[T]
    next_cursor: str | None = None


@dataclass(frozen=True)
class ServerQuery:
    """Filters, sort and page of a source-server listing."""

    account_id: str | None = None
    region: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    replication_state: str | None = None
    assigned: bool | None = None
    group_id: str | None = None
    search: str | None = None
    sort: str = "hostname"
    limit: int = 100
    cursor: str | None = None


@dataclass(frozen=True)
class ListQuery:
    """Filters, sort and page of a group or plan listing."""

    search: str | None = None
    account_id: str | None = None
    region: str | None = None
    sort: str = "name"
    limit: int = 100
    cursor: str | None = None


class ServerRepository(Protocol):
    """The cached DRS inventory."""

    def upsert_many(self, servers: Iterable[SourceServer]) -> None: ...
    def get(self, server_id: str) -> SourceServer | None: ...
    def get_many(self, server_ids: Iterable[str]) -> dict[str, SourceServer]: ...
    def in_scope(self, account_id: str, region: str) -> list[SourceServer]: ...
    def page(self, query: ServerQuery) -> Page[SourceServer]: ...
    def delete_missing(self, account_id: str, region: str, keep: set[str]) -> int: ...


class GroupRepository(Protocol):
    """Protection groups and the server -> group membership they hold."""

    def add(self, group: ProtectionGroup) -> None: ...
    def update(self, group: ProtectionGroup, *, expected_version: int) -> None: ...
    def delete(self, group_id: str, *, expected_version: int | None) -> None: ...
    def get(self, group_id: str) -> ProtectionGroup | None: ...
    def get_many(self, group_ids: Iterable[str]) -> dict[str, ProtectionGroup]: ...
    def find_by_name(self, name: str) -> ProtectionGroup | None: ...
    def page(self, query: ListQuery) -> Page[ProtectionGroup]: ...
    def all(self) -> list[ProtectionGroup]: ...
    def set_members(self, group_id: str, server_ids: Sequence[str]) -> None: ...
    def members(self, group_id: str) -> list[str]: ...
    def holders(self, server_ids: Iterable[str]) -> dict[str, tuple[str, str]]: ...


class PlanRepository(Protocol):
    """Recovery plans."""

    def add(self, plan: RecoveryPlan) -> None: ...
    def update(self, plan: RecoveryPlan, *, expected_version: int) -> None: ...
    def delete(self, plan_id: str, *, expected_version: int | None) -> None: ...
    def get(self, plan_id: str) -> RecoveryPlan | None: ...
    def find_by_name(self, name: str) -> RecoveryPlan | None: ...
    def page(self, query: ListQuery) -> Page[RecoveryPlan]: ...
    def using_group(self, group_id: str) -> list[RecoveryPlan]: ...


class UnitOfWork(Protocol):
    """Repositories sharing one transaction."""

    @property
    def servers(self) -> ServerRepository: ...
    @property
    def groups(self) -> GroupRepository: ...
    @property
    def plans(self) -> PlanRepository: ...


class Store(Protocol):
    """A transactional store. `transaction()` commits on success and rolls back on error."""

    def transaction(self) -> AbstractContextManager[UnitOfWork]: ...
    def read(self) -> AbstractContextManager[UnitOfWork]: ...
    def ping(self) -> None: ...
    def close(self) -> None: ...
