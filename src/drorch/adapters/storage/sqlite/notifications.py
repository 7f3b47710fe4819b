"""SQLite repository of notification channels, subscriptions, deliveries, feed and episodes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from drorch.adapters.storage.paging import Cursors, check_limit
from drorch.adapters.storage.sqlite.documents import check_version, delete_one, load_one
from drorch.adapters.storage.sqlite.execution_records import parse_ts, ts
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

CHANNELS = "notification_channels"
SUBSCRIPTIONS = "notification_subscriptions"
SORT = "-seq"
OPEN = tuple(s.value for s in OPEN_DELIVERIES)


class SqliteNotifications:
    """Channels and subscriptions as JSON documents; deliveries as an outbox with leases."""

    def __init__(self, conn: sqlite3.Connection, cursors: Cursors) -> None:
        self._conn = conn
        self._cursors = cursors

    # -- channels ---------------------------------------------------------------------

    def add_channel(self, channel: Channel) -> None:
        """Insert a channel; 409 when its name is taken."""
        try:
            self._conn.execute(
                f"INSERT INTO {CHANNELS} VALUES (?, ?, ?, ?, ?, ?)",
                (
                    channel.id,
                    channel.name.lower(),
                    int(channel.enabled),
                    channel.version,
                    ts(channel.created_at),
                    channel.model_dump_json(),
                ),
            )
        except sqlite3.IntegrityError as exc:
            raise _name_taken(channel.name) from exc

    def update_channel(self, channel: Channel, *, expected_version: int) -> None:
        """Replace a channel stored at `expected_version`."""
        check_version(self._conn, CHANNELS, channel.id, expected_version, "channel")
        try:
            self._conn.execute(
                f"UPDATE {CHANNELS} SET name_lower=?, enabled=?, version=?, body=? "
                "WHERE id=? AND version=?",
                (
                    channel.name.lower(),
                    int(channel.enabled),
                    channel.version,
                    channel.model_dump_json(),
                    channel.id,
                    expected_version,
                ),
            )
        except sqlite3.IntegrityError as exc:
            raise _name_taken(channel.name) from exc

    def delete_channel(self, channel_id: str, *, expected_version: int | None) -> None:
        """Delete a channel and its subscriptions (its deliveries stay as history)."""
        delete_one(self._conn, CHANNELS, channel_id, expected_version, "channel")

    def get_channel(self, channel_id: str) -> Channel | None:
        """One channel, or None."""
        return load_one(self._conn, CHANNELS, "id", channel_id, Channel.model_validate_json)

    def channels(self) -> list[Channel]:
        """Every channel, by name."""
        rows = self._conn.execute(f"SELECT body FROM {CHANNELS} ORDER BY name_lower, id")
        return [Channel.model_validate_json(r["body"]) for r in rows]

    # -- subscriptions ----------------------------------------------------------------

    def add_subscription(self, subscription: Subscription) -> None:
        """Insert a subscription."""
        self._conn.execute(
            f"INSERT INTO {SUBSCRIPTIONS} VALUES (?, ?, ?, ?, ?, ?)",
            (
                subscription.id,
                subscription.channel_id,
                subscription.plan_id,
                subscription.version,
                ts(subscription.created_at),
                subscription.model_dump_json(),
            ),
        )

    def update_subscription(self, subscription: Subscription, *, expected_version: int) -> None:
        """Replace a subscription stored at `expected_version`."""
        check_version(self._conn, SUBSCRIPTIONS, subscription.id, expected_version, "subscription")
        self._conn.execute(
            f"UPDATE {SUBSCRIPTIONS} SET channel_id=?, plan_id=?, version=?, body=? "
            "WHERE id=? AND version=?",
            (
                subscription.channel_id,
                subscription.plan_id,
                subscription.version,
                subscription.model_dump_json(),
                subscription.id,
                expected_version,
            ),
        )

    def delete_subscription(self, subscription_id: str, *, expected_version: int | None) -> None:
        """Delete a subscription."""
        delete_one(self._conn, SUBSCRIPTIONS, subscription_id, expected_version, "subscription")

    def get_subscription(self, subscription_id: str) -> Subscription | None:
        """One subscription, or None."""
        return load_one(
            self._conn, SUBSCRIPTIONS, "id", subscription_id, Subscription.model_validate_json
        )

    def subscriptions(self, channel_id: str | None = None) -> list[Subscription]:
        """Every subscription (of one channel), oldest first."""
        sql, params = f"SELECT body FROM {SUBSCRIPTIONS}", []
        if channel_id is not None:
            sql, params = sql + " WHERE channel_id = ?", [channel_id]
        rows = self._conn.execute(sql + " ORDER BY created_at, id", params)
        return [Subscription.model_validate_json(r["body"]) for r in rows]

    # -- deliveries -------------------------------------------------------------------

    def add_delivery(self, delivery: Delivery, *, dedupe_key: str) -> bool:
        """Queue a delivery; False when one with this key already exists for the channel."""
        cur = self._conn.execute(
            "INSERT OR IGNORE INTO notification_deliveries (id, channel_id, dedupe_key, kind, "
            "subject_id, plan_id, status, created_at, next_attempt_at, body) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                delivery.id,
                delivery.channel_id,
                dedupe_key,
                delivery.kind.value,
                delivery.subject.id,
                delivery.subject.plan_id,
                delivery.status.value,
                ts(delivery.created_at),
                _opt_ts(delivery.next_attempt_at),
                _body(delivery),
            ),
        )
        return cur.rowcount == 1

    def get_delivery(self, delivery_id: str) -> Delivery | None:
        """One delivery with its attempts, or None."""
        row = self._conn.execute(
            "SELECT body FROM notification_deliveries WHERE id = ?", (delivery_id,)
        ).fetchone()
        return self._with_attempts([row["body"]])[0] if row else None

    def deliveries(self, query: DeliveryQuery) -> Page[Delivery]:
        """A filtered page of deliveries with their attempts, newest first."""
        limit = check_limit(query.limit)
        where, params = _filters(query)
        if query.cursor:
            seq, _ = self._cursors.decode(query.cursor, SORT, int)
            where.append("seq < ?")
            params.append(int(seq))
        sql = "SELECT seq, id, body FROM notification_deliveries"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self._conn.execute(sql + " ORDER BY seq DESC LIMIT ?", [*params, limit + 1])
        found = rows.fetchall()
        items = self._with_attempts([r["body"] for r in found[:limit]])
        cursor = None
        if len(found) > limit:
            last = found[limit - 1]
            cursor = self._cursors.encode(SORT, last["seq"], last["id"])
        return Page(items=items, next_cursor=cursor)

    def claim_deliveries(
        self, *, owner: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[Delivery]:
        """Lease up to `limit` due deliveries of enabled channels, lease free or expired."""
        rows = self._conn.execute(
            # A deleted channel's deliveries are claimed too, so they end as FAILED.
            "SELECT d.id, d.body FROM notification_deliveries d LEFT JOIN notification_channels "
            "c ON c.id = d.channel_id WHERE (c.enabled = 1 OR c.id IS NULL) AND d.status IN (?, ?) "
            "AND d.next_attempt_at <= ? AND (d.lease_owner IS NULL OR d.lease_until < ?) "
            "ORDER BY d.next_attempt_at, d.seq LIMIT ?",
            (*OPEN, ts(now), ts(now), limit),
        ).fetchall()
        self._conn.executemany(
            "UPDATE notification_deliveries SET lease_owner = ?, lease_until = ? WHERE id = ?",
            [(owner, ts(lease_until), r["id"]) for r in rows],
        )
        return self._with_attempts([r["body"] for r in rows])

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
        updated = delivery.model_copy(
            update={
                "status": status,
                "next_attempt_at": next_attempt_at,
                "delivered_at": attempt.at if status is DeliveryStatus.DELIVERED else None,
            }
        )
        cur = self._conn.execute(
            "UPDATE notification_deliveries SET status = ?, next_attempt_at = ?, body = ?, "
            "lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner IS ?",
            (status.value, _opt_ts(next_attempt_at), _body(updated), delivery.id, owner),
        )
        if cur.rowcount != 1:
            return False
        self._conn.execute(
            "INSERT INTO notification_attempts VALUES (?, ?, ?)",
            (delivery.id, attempt.n, attempt.model_dump_json()),
        )
        return True

    def _with_attempts(self, bodies: list[str]) -> list[Delivery]:
        deliveries = [Delivery.model_validate_json(b) for b in bodies]
        if not deliveries:
            return []
        marks = ", ".join("?" * len(deliveries))
        rows = self._conn.execute(
            f"SELECT delivery_id, body FROM notification_attempts WHERE delivery_id IN ({marks}) "
            "ORDER BY delivery_id, n",
            [d.id for d in deliveries],
        )
        attempts: dict[str, list[Attempt]] = {}
        for row in rows:
            attempts.setdefault(row["delivery_id"], []).append(
                Attempt.model_validate_json(row["body"])
            )
        return [d.model_copy(update={"attempts": attempts.get(d.id, [])}) for d in deliveries]

    # -- timeline feed and episodes ---------------------------------------------------

    def feed_position(self, name: str) -> int:
        """How far the feed `name` has read (0 when never)."""
        row = self._conn.execute(
            "SELECT position FROM notification_feeds WHERE name = ?", (name,)
        ).fetchone()
        return int(row["position"]) if row else 0

    def set_feed_position(self, name: str, position: int) -> None:
        """Remember how far the feed `name` has read."""
        self._conn.execute(
            "INSERT INTO notification_feeds VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET position = excluded.position",
            (name, position),
        )

    def timeline_after(
        self, position: int, kinds: Iterable[str], limit: int
    ) -> tuple[list[TimelineEntry], int]:
        """Timeline events of these kinds after `position`, and the position read up to."""
        wanted = sorted(kinds)
        marks = ", ".join("?" * len(wanted))
        rows = self._conn.execute(
            "SELECT rowid, execution_id, body FROM execution_events WHERE rowid > ? "
            f"AND json_extract(body, '$.kind') IN ({marks}) ORDER BY rowid LIMIT ?",
            (position, *wanted, limit),
        ).fetchall()
        entries = [
            TimelineEntry(r["rowid"], r["execution_id"], Event.model_validate_json(r["body"]))
            for r in rows
        ]
        if len(entries) == limit:
            return entries, entries[-1].position
        # Writers are serialised, so nothing can appear below the end read in this transaction.
        end = self._conn.execute("SELECT MAX(rowid) FROM execution_events").fetchone()[0]
        return entries, max(position, int(end or 0))

    def open_episodes(self, prefix: str) -> dict[str, datetime]:
        """Open episodes whose key starts with `prefix`, and when each opened."""
        rows = self._conn.execute(
            "SELECT key, opened_at FROM notification_episodes WHERE key LIKE ? ESCAPE '\\'",
            (_like_prefix(prefix),),
        )
        return {r["key"]: parse_ts(r["opened_at"]) for r in rows}

    def open_episode(self, key: str, at: datetime) -> bool:
        """Open an episode; False when it is open already."""
        cur = self._conn.execute(
            "INSERT OR IGNORE INTO notification_episodes VALUES (?, ?)", (key, ts(at))
        )
        return cur.rowcount == 1

    def close_episode(self, key: str) -> None:
        """Close an episode, so the next one notifies again."""
        self._conn.execute("DELETE FROM notification_episodes WHERE key = ?", (key,))


def _filters(query: DeliveryQuery) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    for column in ("status", "kind", "channel_id", "subject_id", "plan_id"):
        value = getattr(query, column)
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    return where, params


def _body(delivery: Delivery) -> str:
    # Attempts live in their own table; the document holds everything else.
    return delivery.model_copy(update={"attempts": []}).model_dump_json()


def _opt_ts(moment: datetime | None) -> str | None:
    return ts(moment) if moment is not None else None


def _like_prefix(prefix: str) -> str:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def _name_taken(name: str) -> ConflictError:
    return ConflictError(
        f"a channel named {name!r} already exists (names are case-insensitive)",
        conflicts=[{"field": "name", "value": name}],
    )
