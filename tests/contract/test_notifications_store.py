"""The notification part of the store contract: outbox leases, attempts, episodes, documents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from drorch.domain.notifications import (
    Attempt,
    Channel,
    ChannelType,
    DeliveryStatus,
    EventKind,
    Subject,
    WebhookConfig,
)
from drorch.errors import ConflictError, PreconditionFailedError
from drorch.ports.store import DeliveryQuery, Store
from drorch.services.notifications import new_delivery

NOW = datetime(2026, 1, 1, tzinfo=UTC)
LEASE = timedelta(seconds=60)


def channel(channel_id: str, name: str, enabled: bool = True) -> Channel:
    return Channel(
        id=channel_id,
        name=name,
        enabled=enabled,
        config=WebhookConfig(url="http://127.0.0.1:9/x"),
        secret="whsec_x",
        created_at=NOW,
        updated_at=NOW,
    )


def queue(store: Store, channel_id: str, n: int) -> list[str]:
    subject = Subject(type="execution", id="ex-1")
    ids = []
    with store.transaction() as uow:
        for _ in range(n):
            d = new_delivery(
                channel_id, "c", ChannelType.WEBHOOK, EventKind.EXECUTION_FAILED, subject, {}, NOW
            )
            assert uow.notifications.add_delivery(d, dedupe_key=d.id)
            ids.append(d.id)
    return ids


def claim(store: Store, owner: str, now: datetime = NOW) -> list[str]:
    with store.transaction() as uow:
        found = uow.notifications.claim_deliveries(
            owner=owner, now=now, lease_until=now + LEASE, limit=10
        )
    return [d.id for d in found]


def test_a_claimed_delivery_is_nobody_elses_until_its_lease_expires(store: Store) -> None:
    with store.transaction() as uow:
        uow.notifications.add_channel(channel("nc-1", "one"))
    ids = queue(store, "nc-1", 2)
    assert sorted(claim(store, "w1")) == sorted(ids)
    assert claim(store, "w2") == []
    later = NOW + LEASE + timedelta(seconds=1)
    assert sorted(claim(store, "w2", later)) == sorted(ids)
    with store.transaction() as uow:
        delivery = uow.notifications.get_delivery(ids[0])
        assert delivery is not None
        attempt = Attempt(n=1, at=later, ok=True, status_code=200)
        stale = uow.notifications.finish_attempt(
            delivery, attempt, owner="w1", status=DeliveryStatus.DELIVERED, next_attempt_at=None
        )
        kept = uow.notifications.finish_attempt(
            delivery, attempt, owner="w2", status=DeliveryStatus.DELIVERED, next_attempt_at=None
        )
    assert (stale, kept) == (False, True)
    with store.read() as uow:
        done = uow.notifications.get_delivery(ids[0])
        delivered = uow.notifications.deliveries(DeliveryQuery(status="DELIVERED")).items
    assert done is not None and done.status is DeliveryStatus.DELIVERED
    assert [a.n for a in done.attempts] == [1] and [d.id for d in delivered] == [ids[0]]


def test_disabled_channels_wait_and_deleted_ones_are_claimed_to_fail(store: Store) -> None:
    with store.transaction() as uow:
        uow.notifications.add_channel(channel("nc-off", "off", enabled=False))
        uow.notifications.add_channel(channel("nc-gone", "gone"))
    waiting = queue(store, "nc-off", 1)
    orphaned = queue(store, "nc-gone", 1)
    with store.transaction() as uow:
        uow.notifications.delete_channel("nc-gone", expected_version=1)
    assert claim(store, "w1") == orphaned
    assert waiting[0] not in claim(store, "w1", NOW + timedelta(hours=1))


def test_channel_names_are_unique_and_versions_checked(store: Store) -> None:
    with store.transaction() as uow:
        uow.notifications.add_channel(channel("nc-1", "Ops"))
    with pytest.raises(ConflictError), store.transaction() as uow:
        uow.notifications.add_channel(channel("nc-2", "ops"))
    with pytest.raises(PreconditionFailedError), store.transaction() as uow:
        changed = channel("nc-1", "ops2").model_copy(update={"version": 3})
        uow.notifications.update_channel(changed, expected_version=2)


def test_an_episode_opens_once_until_closed(store: Store) -> None:
    with store.transaction() as uow:
        assert uow.notifications.open_episode("stuck:ex-1", NOW)
        assert not uow.notifications.open_episode("stuck:ex-1", NOW)
        assert uow.notifications.open_episode("other_1", NOW)
    with store.transaction() as uow:
        assert set(uow.notifications.open_episodes("stuck:")) == {"stuck:ex-1"}
        assert uow.notifications.open_episodes("other_") == {"other_1": NOW}
        uow.notifications.close_episode("stuck:ex-1")
        assert uow.notifications.open_episode("stuck:ex-1", NOW)
