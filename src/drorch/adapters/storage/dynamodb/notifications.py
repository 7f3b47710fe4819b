"""DynamoDB repository of channels, subscriptions, the delivery outbox, feeds and episodes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from drorch.adapters.storage.dynamodb.common import (
    Documents,
    joined,
    next_seq,
    pad,
    parse_all,
    parse_ts,
    ts,
)
from drorch.adapters.storage.dynamodb.table import Item
from drorch.adapters.storage.dynamodb.unit import Unit
from drorch.adapters.storage.paging import Cursors, check_limit
from drorch.domain.executions import Event
from drorch.domain.notifications import (
    OPEN_DELIVERIES,
    Attempt,
    Channel,
    Delivery,
    DeliveryStatus,
    Subscription,
)
from drorch.errors import ConflictError
from drorch.ports.store import DeliveryQuery, Page, TimelineEntry

CHANNELS, SUBSCRIPTIONS, DELIVERIES, OPEN, TIMELINE = "chan", "sub", "dlv", "dlv-open", "timeline"
# A unit commits within seconds of numbering its events: a hole in the timeline's positions
# older than this is a unit that rolled back, not one still landing.
FEED_GRACE_SECONDS = 60
SORT = "-seq"


def _delivery_key(delivery_id: str) -> tuple[str, str]:
    return f"dlv#{delivery_id}", "-"


class DynamoNotifications:
    """Channels and subscriptions as documents; deliveries as an outbox with leases."""

    def __init__(self, unit: Unit, cursors: Cursors) -> None:
        self._unit = unit
        self._cursors = cursors
        self._channels = Documents(unit, CHANNELS, "channel")
        self._subs = Documents(unit, SUBSCRIPTIONS, "subscription")

    # -- channels ---------------------------------------------------------------------

    def add_channel(self, channel: Channel) -> None:
        """Insert a channel; 409 when its name is taken."""
        if self._channels.by_name(channel.name) is not None:
            raise _name_taken(channel.name)
        self._channels.add(
            channel.id,
            channel.model_dump_json(),
            channel.version,
            channel.name,
            enabled=channel.enabled,
        )

    def update_channel(self, channel: Channel, *, expected_version: int) -> None:
        """Replace a channel stored at `expected_version`."""
        self._channels.check(channel.id, expected_version)
        other = self._channels.by_name(channel.name)
        if other is not None and other["sk"] != channel.id:
            raise _name_taken(channel.name)
        self._channels.update(
            channel.id,
            channel.model_dump_json(),
            channel.version,
            expected_version,
            channel.name,
            enabled=channel.enabled,
        )

    def delete_channel(self, channel_id: str, *, expected_version: int | None) -> None:
        """Delete a channel and its subscriptions (its deliveries stay as history)."""
        self._channels.delete(channel_id, expected_version)
        for sub in self.subscriptions(channel_id):
            self._unit.delete(SUBSCRIPTIONS, sub.id)

    def get_channel(self, channel_id: str) -> Channel | None:
        """One channel, or None."""
        item = self._channels.get(channel_id)
        return Channel.model_validate_json(item["body"]) if item else None

    def channels(self) -> list[Channel]:
        """Every channel, by name."""
        items = sorted(self._channels.all(), key=lambda i: (i["name"].lower(), i["sk"]))
        return parse_all(items, Channel.model_validate_json)

    # -- subscriptions ----------------------------------------------------------------

    def add_subscription(self, subscription: Subscription) -> None:
        """Insert a subscription."""
        self._subs.add(
            subscription.id,
            subscription.model_dump_json(),
            subscription.version,
            None,
            channel=subscription.channel_id,
        )

    def update_subscription(self, subscription: Subscription, *, expected_version: int) -> None:
        """Replace a subscription stored at `expected_version`."""
        self._subs.update(
            subscription.id,
            subscription.model_dump_json(),
            subscription.version,
            expected_version,
            None,
            channel=subscription.channel_id,
        )

    def delete_subscription(self, subscription_id: str, *, expected_version: int | None) -> None:
        """Delete a subscription."""
        self._subs.delete(subscription_id, expected_version)

    def get_subscription(self, subscription_id: str) -> Subscription | None:
        """One subscription, or None."""
        item = self._subs.get(subscription_id)
        return Subscription.model_validate_json(item["body"]) if item else None

    def subscriptions(self, channel_id: str | None = None) -> list[Subscription]:
        """Every subscription (of one channel), oldest first."""
        items = [i for i in self._subs.all() if channel_id is None or i["channel"] == channel_id]
        subs = parse_all(items, Subscription.model_validate_json)
        return sorted(subs, key=lambda s: (s.created_at, s.id))

    # -- deliveries -------------------------------------------------------------------

    def add_delivery(self, delivery: Delivery, *, dedupe_key: str) -> bool:
        """Queue a delivery; False when one with this key already exists for the channel."""
        dedupe = (f"dlvkey#{delivery.channel_id}", dedupe_key)
        if self._unit.get(*dedupe) is not None:
            return False
        self._unit.put({"pk": dedupe[0], "sk": dedupe[1], "id": delivery.id}, new=True)
        seq = next_seq(self._unit, DELIVERIES)
        self._unit.put(_delivery_item(delivery, seq, None, None), new=True)
        return True

    def get_delivery(self, delivery_id: str) -> Delivery | None:
        """One delivery with its attempts, or None."""
        item = self._unit.get(*_delivery_key(delivery_id))
        return self._with_attempts([item])[0] if item else None

    def deliveries(self, query: DeliveryQuery) -> Page[Delivery]:
        """A filtered page of deliveries with their attempts, newest first."""
        limit = check_limit(query.limit)
        start = None
        if query.cursor:
            seq, delivery_id = self._cursors.decode(query.cursor, SORT, int)
            start = {"pk": _delivery_key(delivery_id)[0], "sk": "-"}
            start.update({"g1pk": DELIVERIES, "g1sk": pad(int(seq))})
        items, last = self._unit.page(
            DELIVERIES,
            index="g1",
            forward=False,
            limit=limit,
            start=start,
            select=lambda found: [i for i in found if _matches(i, query)],
        )
        cursor = None
        if last is not None:
            cursor = self._cursors.encode(SORT, items[-1]["seq"], items[-1]["id"])
        return Page(items=self._with_attempts(items), next_cursor=cursor)

    def claim_deliveries(
        self, *, owner: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[Delivery]:
        """Lease up to `limit` due deliveries of enabled channels, lease free or expired."""
        due = self._unit.query(OPEN, index="g2", upto=joined(ts(now), "\x7f"))
        enabled = {c.id: c.enabled for c in self.channels()}
        claimed = []
        for item in due:
            fresh = self._unit.get(item["pk"], item["sk"])  # the index may lag the table
            if fresh is None or not _claimable(fresh, now, enabled):
                continue
            self._unit.put({**fresh, "owner": owner, "until": ts(lease_until)})
            claimed.append(fresh)
            if len(claimed) == limit:
                break
        return self._with_attempts(claimed)

    def finish_attempt(
        self,
        delivery: Delivery,
        attempt: Attempt,
        *,
        owner: str | None,
        status: DeliveryStatus,
        next_attempt_at: datetime | None,
    ) -> bool:
        """Record an attempt and the new status while `owner` holds it (None: nobody may)."""
        item = self._unit.get(*_delivery_key(delivery.id))
        if item is None or item.get("owner") != owner:
            return False
        updated = delivery.model_copy(
            update={
                "status": status,
                "next_attempt_at": next_attempt_at,
                "delivered_at": attempt.at if status is DeliveryStatus.DELIVERED else None,
            }
        )
        self._unit.put(_delivery_item(updated, item["seq"], None, None))
        pk = _delivery_key(delivery.id)[0]
        self._unit.put({"pk": pk, "sk": f"a#{attempt.n:06d}", "body": attempt.model_dump_json()})
        return True

    def _with_attempts(self, items: list[Item]) -> list[Delivery]:
        found = []
        for item in items:
            attempts = [
                Attempt.model_validate_json(a["body"])
                for a in self._unit.query(item["pk"], prefix="a#")
            ]
            delivery = Delivery.model_validate_json(item["body"])
            found.append(delivery.model_copy(update={"attempts": attempts}))
        return found

    # -- timeline feed and episodes ---------------------------------------------------

    def feed_position(self, name: str) -> int:
        """How far the feed `name` has read (0 when never)."""
        item = self._unit.get("feed", name)
        return int(item["position"]) if item else 0

    def set_feed_position(self, name: str, position: int) -> None:
        """Remember how far the feed `name` has read."""
        self._unit.put({"pk": "feed", "sk": name, "position": position})

    def timeline_after(
        self, position: int, kinds: Iterable[str], limit: int
    ) -> tuple[list[TimelineEntry], int]:
        """Timeline events of these kinds after `position`, and the position read up to.

        Positions are taken from a counter before their unit commits, so they can land out
        of order (and the index lags the table): the feed reads on only while positions
        follow each other. A missing one stops it until it lands, or until the event after
        it is older than FEED_GRACE_SECONDS (its unit rolled back: a gap for good).
        """
        wanted = set(kinds)
        entries: list[TimelineEntry] = []
        read_to = position
        cursor = None
        settled = self._unit.table.clock() - FEED_GRACE_SECONDS
        while True:
            items, cursor = self._unit.table.query(
                TIMELINE, index="g1", after=pad(position), limit=200, start=cursor
            )
            for item in items:
                at = int(item["g1sk"])
                if at > read_to + 1 and int(item.get("made", 0)) > settled:
                    return entries, read_to  # a position before it may still land
                read_to = at
                if item["kind"] not in wanted:
                    continue
                event = Event.model_validate_json(item["body"])
                entries.append(TimelineEntry(read_to, item["execution"], event))
                if len(entries) == limit:
                    return entries, read_to
            if cursor is None:
                return entries, read_to

    def open_episodes(self, prefix: str) -> dict[str, datetime]:
        """Open episodes whose key starts with `prefix`, and when each opened."""
        items = self._unit.query("episode", prefix=prefix or None)
        return {i["sk"]: parse_ts(i["at"]) for i in items}

    def open_episode(self, key: str, at: datetime) -> bool:
        """Open an episode; False when it is open already."""
        if self._unit.get("episode", key) is not None:
            return False
        self._unit.put({"pk": "episode", "sk": key, "at": ts(at)}, new=True)
        return True

    def close_episode(self, key: str) -> None:
        """Close an episode, so the next one notifies again."""
        self._unit.delete("episode", key)


def _delivery_item(delivery: Delivery, seq: int, owner: str | None, until: str | None) -> Item:
    pk, sk = _delivery_key(delivery.id)
    item: Item = {
        "pk": pk,
        "sk": sk,
        "id": delivery.id,
        "seq": seq,
        "status": delivery.status.value,
        "kind": delivery.kind.value,
        "channel": delivery.channel_id,
        "subject": delivery.subject.id,
        "plan": delivery.subject.plan_id,
        "owner": owner,
        "until": until,
        "body": delivery.model_copy(update={"attempts": []}).model_dump_json(),
        "g1pk": DELIVERIES,
        "g1sk": pad(seq),
    }
    if delivery.status in OPEN_DELIVERIES and delivery.next_attempt_at is not None:
        item.update({"g2pk": OPEN, "g2sk": joined(ts(delivery.next_attempt_at), pad(seq))})
        item["next"] = ts(delivery.next_attempt_at)
    return item


def _claimable(item: Item, now: datetime, enabled: dict[str, bool]) -> bool:
    # A deleted channel's deliveries are claimed too, so they end as FAILED.
    if not enabled.get(item["channel"], True):
        return False
    if item.get("g2pk") != OPEN or item.get("next", "9999") > ts(now):
        return False
    return item.get("owner") is None or item.get("until", "") < ts(now)


def _matches(item: Item, query: DeliveryQuery) -> bool:
    pairs = (
        ("status", query.status),
        ("kind", query.kind),
        ("channel", query.channel_id),
        ("subject", query.subject_id),
        ("plan", query.plan_id),
    )
    return all(wanted is None or item.get(name) == wanted for name, wanted in pairs)


def _name_taken(name: str) -> ConflictError:
    return ConflictError(
        f"a channel named {name!r} already exists (names are case-insensitive)",
        conflicts=[{"field": "name", "value": name}],
    )
