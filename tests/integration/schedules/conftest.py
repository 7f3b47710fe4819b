"""A scheduler on a real SQLite file, the DRS sandbox and a virtual clock, built by bootstrap.

The engine runner is off: a started drill stays PENDING (so its plan counts as busy), and
nothing moves unless a test ticks the scheduler or moves the clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from drorch.adapters.clock import ManualClock
from drorch.adapters.storage.sqlite import SqliteStore
from drorch.bootstrap import Container, bootstrap, scheduler_for
from drorch.config import Settings
from drorch.domain.common import new_id, utcnow
from drorch.domain.groups import GroupDraft, Selection
from drorch.domain.identity import Role
from drorch.domain.plans import PlanDraft, Wave
from drorch.domain.schedules import ScheduleDraft
from drorch.domain.users import User, principal_of
from drorch.services import schedules
from drorch.services.audit import AuditContext
from drorch.services.groups import create_group
from drorch.services.inventory import sync_inventory
from drorch.services.plans import create_plan
from drorch.services.scheduler import Scheduler
from drorch.services.schedules import ScheduleView
from tests.support.builders import register_accounts
from tests.support.sandbox import RunningSandbox, many_servers, running_sandbox, sid

# Tuesday 1 December 2026, 22:00 UTC.
START = datetime(2026, 12, 1, 22, 0, tzinfo=UTC)
SANDBOX_ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    """One sandbox for the module: drills here never get as far as launching."""
    with running_sandbox(many_servers(12), clock="virtual") as sb:
        yield sb


@dataclass
class Lab:
    """The container, its scheduler on a manual clock, and helpers to make things."""

    container: Container
    clock: ManualClock
    scheduler: Scheduler
    data_dir: Path

    @property
    def store(self) -> Any:
        """The container's store."""
        return self.container.store

    def user(self, name: str, role: Role = Role.OPERATOR) -> AuditContext:
        """A real local user (the owner a schedule runs as), as an audit context."""
        now = utcnow()
        user = User(
            id=new_id("u"),
            username=name,
            display_name=name,
            role=role,
            created_at=now,
            updated_at=now,
        )
        with self.store.transaction() as uow:
            # Stored as a sign-up would; these users never sign in, so no password is hashed.
            uow.users.add(user, "not-a-hash")
        return AuditContext(principal_of(user), request_id="test")

    def plan(self, name: str, waves: dict[str, list[int]]) -> str:
        """A plan with one group (explicit server numbers) per wave; its id."""
        made = []
        for wave, numbers in waves.items():
            draft = GroupDraft(
                name=f"{name}-{wave}",
                account_id=SANDBOX_ACCOUNT,
                region="us-east-1",
                selection=Selection(server_ids=[sid(n) for n in numbers]),
            )
            group = create_group(store=self.store, draft=draft).group
            made.append(Wave(name=wave, protection_group_ids=[group.id]))
        return create_plan(store=self.store, draft=PlanDraft(name=name, waves=made)).id

    def schedule(self, owner: AuditContext, **fields: Any) -> ScheduleView:
        """Save a schedule as `owner`."""
        draft = ScheduleDraft.model_validate({"name": f"s-{fields['kind']}", **fields})
        return schedules.create_schedule(
            store=self.store, draft=draft, audit=owner, clock=self.clock
        )

    def at(self, moment: datetime) -> None:
        """Move the virtual clock to `moment`."""
        self.clock.set(moment)


@pytest.fixture(scope="module")
def gateway(sandbox: RunningSandbox) -> Any:
    """One DRS gateway (boto3 clients are slow to make) for the module."""
    return sandbox.gateway()


def make_lab(drs: Any, data_dir: Path) -> Lab:
    """A container on a fresh SQLite file in `data_dir` with the sandbox as DRS."""
    settings = Settings(
        data_dir=data_dir, runner_enabled=False, scheduler_enabled=False, log_level="WARNING"
    )
    store = SqliteStore(settings.db_path)
    container = bootstrap(settings, store=store, drs=drs)
    register_accounts(store, [SANDBOX_ACCOUNT])
    sync_inventory(store=store, drs=container.drs)
    clock = ManualClock(START)
    return Lab(container, clock, scheduler_for(container, clock), data_dir)


@pytest.fixture
def lab(gateway: Any, tmp_path: Path) -> Iterator[Lab]:
    """A fresh lab for one test."""
    made = make_lab(gateway, tmp_path / "data")
    yield made
    made.container.stop()
