"""Raising notifications: one function for every source, the timeline feed, the delivery list.

Any use case raises a notification with `raise_event(uow, ...)` inside its own transaction:
the matching subscriptions are resolved there and one delivery per channel lands in the
outbox, so a rolled-back change notifies nobody. The dispatcher sends them later.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from drorch.domain.common import new_id
from drorch.domain.executions import Execution, ExecutionSummary
from drorch.domain.notifications import (
    TIMELINE_KINDS,
    ChannelType,
    Delivery,
    DeliveryStatus,
    EventKind,
    Subject,
    body_text,
    headline,
    page_path,
)
from drorch.errors import NotFoundError
from drorch.ports.notifier import Outgoing
from drorch.ports.store import DeliveryQuery, Page, Store, TimelineEntry, UnitOfWork

TIMELINE_FEED = "timeline"
FEED_BATCH = 200


def raise_event(
    uow: UnitOfWork,
    *,
    kind: EventKind,
    subject: Subject,
    payload: dict[str, Any],
    at: datetime,
    dedupe_key: str | None = None,
) -> list[Delivery]:
    """Queue one delivery per channel subscribed to `kind` for the subject's plan.

    `dedupe_key` makes raising the same event twice harmless (one delivery per channel).
    """
    repo = uow.notifications
    channels = {c.id: c for c in repo.channels() if c.enabled}
    wanted = {
        s.channel_id
        for s in repo.subscriptions()
        if s.channel_id in channels and s.wants(kind, subject.plan_id)
    }
    queued = []
    for channel_id in sorted(wanted):
        channel = channels[channel_id]
        delivery = new_delivery(channel.id, channel.name, channel.type, kind, subject, payload, at)
        if repo.add_delivery(delivery, dedupe_key=dedupe_key or delivery.id):
            queued.append(delivery)
    return queued


def new_delivery(
    channel_id: str,
    channel_name: str,
    channel_type: ChannelType,
    kind: EventKind,
    subject: Subject,
    payload: dict[str, Any],
    at: datetime,
) -> Delivery:
    """A delivery due now, its words rendered from the event."""
    return Delivery(
        id=new_id("nt"),
        channel_id=channel_id,
        channel_name=channel_name,
        channel_type=channel_type,
        kind=kind,
        subject=subject,
        title=headline(kind, subject, payload),
        text=body_text(kind, subject, payload),
        payload=payload,
        status=DeliveryStatus.PENDING,
        created_at=at,
        next_attempt_at=at,
    )


def execution_subject(execution: Execution | ExecutionSummary) -> Subject:
    """The subject of a notification about an execution."""
    return Subject(
        type="execution",
        id=execution.id,
        plan_id=execution.plan_id,
        plan_name=execution.plan_name,
    )


def pump_timeline(*, store: Store, limit: int = FEED_BATCH) -> int:
    """Turn timeline events committed since the last pass into notifications; how many raised."""
    with store.read() as uow:
        position = uow.notifications.feed_position(TIMELINE_FEED)
        entries, end = uow.notifications.timeline_after(position, TIMELINE_KINDS, 1)
    if not entries and end == position:
        return 0  # nothing new: no write transaction at all
    raised = 0
    with store.transaction() as uow:
        # Read again under the write lock: another worker may have moved the feed meanwhile.
        position = uow.notifications.feed_position(TIMELINE_FEED)
        entries, end = uow.notifications.timeline_after(position, TIMELINE_KINDS, limit)
        for entry in entries:
            raised += len(_raise_entry(uow, entry))
        uow.notifications.set_feed_position(TIMELINE_FEED, end)
    return raised


def _raise_entry(uow: UnitOfWork, entry: TimelineEntry) -> list[Delivery]:
    # The listing row holds all a notification names: a 5,000-server run is not parsed.
    execution = uow.executions.summary(entry.execution_id)
    if execution is None:
        return []
    event = entry.event
    payload = {
        "execution_id": execution.id,
        "execution_type": execution.type,
        "plan_id": execution.plan_id,
        "plan_name": execution.plan_name,
        "status": event.data.get("status") or execution.status,
        "message": event.message,
        "actor": event.actor,
        "at": event.at.isoformat(),
        "comment": event.data.get("comment"),
        "wave": event.wave,
    }
    return raise_event(
        uow,
        kind=TIMELINE_KINDS[event.kind],
        subject=execution_subject(execution),
        payload={k: v for k, v in payload.items() if v is not None},
        at=event.at,
        dedupe_key=f"timeline:{execution.id}:{event.seq}",
    )


def outgoing(delivery: Delivery, public_url: str) -> Outgoing:
    """The message a channel sends for a delivery, linking to the subject's page."""
    link = public_url.rstrip("/") + page_path(delivery.subject)
    document = {
        "id": delivery.id,
        "kind": delivery.kind.value,
        "title": delivery.title,
        "text": delivery.text,
        "link": link,
        "subject": delivery.subject.model_dump(mode="json"),
        "payload": delivery.payload,
        "created_at": delivery.created_at.isoformat(),
    }
    return Outgoing(
        delivery_id=delivery.id,
        kind=delivery.kind.value,
        title=delivery.title,
        text=delivery.text,
        link=link,
        document=document,
    )


def list_deliveries(*, store: Store, query: DeliveryQuery) -> Page[Delivery]:
    """A filtered page of deliveries with their attempts, newest first."""
    with store.read() as uow:
        return uow.notifications.deliveries(query)


def get_delivery(*, store: Store, delivery_id: str) -> Delivery:
    """One delivery with its attempts."""
    with store.read() as uow:
        found = uow.notifications.get_delivery(delivery_id)
    if found is None:
        raise NotFoundError(f"notification {delivery_id} does not exist")
    return found
