"""A notification world: a real SQLite file, the dispatcher from bootstrap, a virtual clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from drorch.adapters.clock import ManualClock
from drorch.adapters.storage.sqlite import SqliteStore
from drorch.bootstrap import notification_dispatcher
from drorch.config import Settings
from drorch.domain.notifications import (
    ChannelDraft,
    EventKind,
    Subject,
    SubscriptionDraft,
    WebhookConfig,
)
from drorch.ports.sessions import SessionProvider
from drorch.services import notification_setup as setup
from drorch.services.groups import create_group
from drorch.services.notifications import raise_event
from drorch.services.notify_dispatcher import Dispatcher
from drorch.services.plans import create_plan
from tests.support.builders import ACCOUNT, group_draft, plan_draft, register_accounts

PUBLIC_URL = "https://drorch.example.org"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@dataclass
class Notify:
    """One store file, its settings and a virtual clock; dispatchers made on demand."""

    path: Path
    store: SqliteStore
    settings: Settings
    clock: ManualClock

    def dispatcher(
        self,
        owner: str = "w1",
        store: SqliteStore | None = None,
        sessions: SessionProvider | None = None,
        **settings: Any,
    ) -> Dispatcher:
        """A dispatcher as bootstrap builds it, on this clock (and another store, if given)."""
        chosen = self.settings.model_copy(update=settings)
        return notification_dispatcher(
            chosen, store or self.store, clock=self.clock, owner=owner, sessions=sessions
        )

    def webhook(self, url: str, name: str = "hook") -> setup.ChannelSaved:
        """A webhook channel; its secret is in `.new_secret`."""
        draft = ChannelDraft(name=name, config=WebhookConfig(url=url))
        return setup.create_channel(store=self.store, draft=draft)

    def subscribe(
        self, channel_id: str, *events: EventKind, plan_id: str | None = None, enabled: bool = True
    ) -> None:
        """Subscribe a channel to events of a plan (or all)."""
        draft = SubscriptionDraft(
            channel_id=channel_id, plan_id=plan_id, events=list(events), enabled=enabled
        )
        setup.create_subscription(store=self.store, draft=draft)

    def plan(self, name: str) -> str:
        """A plan's id (one wave over an empty tag-selected group)."""
        register_accounts(self.store, [ACCOUNT])
        group = create_group(store=self.store, draft=group_draft(f"{name}-g", tags={"app": name}))
        draft = plan_draft(name, [("w1", [group.group.id])])
        return create_plan(store=self.store, draft=draft).id

    def raise_(
        self, kind: EventKind, plan_id: str, subject_id: str = "ex-1", key: str | None = None
    ) -> int:
        """Raise an execution event in a transaction of its own; deliveries queued."""
        subject = Subject(type="execution", id=subject_id, plan_id=plan_id, plan_name="web")
        payload = {"execution_type": "DRILL", "message": "wave db failed", "status": "FAILED"}
        with self.store.transaction() as uow:
            queued = raise_event(
                uow,
                kind=kind,
                subject=subject,
                payload=payload,
                at=self.clock.now(),
                dedupe_key=key,
            )
        return len(queued)


@pytest.fixture
def notify(tmp_path: Path) -> Iterator[Notify]:
    """A fresh notification world."""
    path = tmp_path / "drorch.db"
    store = SqliteStore(path)
    settings = Settings(
        data_dir=tmp_path,
        drs_enabled=False,
        public_url=PUBLIC_URL,
        notify_max_attempts=3,
        notify_retry_base_seconds=10,
        notify_timeout_seconds=5,
    )
    yield Notify(path, store, settings, ManualClock(T0))
    store.close()
