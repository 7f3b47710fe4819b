"""SQLite repository of the append-only audit log."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from drorch.adapters.storage.paging import check_limit, decode_cursor, encode_cursor
from drorch.domain.audit import AuditRecord
from drorch.ports.store import AuditQuery, Page

COLUMNS = (
    "id, at, principal, username, role, source, action, target_type, target_id, outcome, "
    "status, request_id, client, comment, detail"
)
SORT = "-seq"


class SqliteAudit:
    """Appends and pages audit rows; the table's triggers refuse any UPDATE or DELETE."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def append(self, record: AuditRecord) -> AuditRecord:
        """Add a record; returns it with the sequence number it was given."""
        cursor = self._conn.execute(
            f"INSERT INTO audit_log ({COLUMNS}) VALUES ({', '.join('?' * 15)})",
            (
                record.id,
                record.at.isoformat(),
                record.principal,
                record.username,
                record.role,
                record.source,
                record.action,
                record.target_type,
                record.target_id,
                record.outcome.value,
                record.status,
                record.request_id,
                record.client,
                record.comment,
                json.dumps(record.detail, separators=(",", ":")),
            ),
        )
        return record.model_copy(update={"seq": cursor.lastrowid})

    def page(self, query: AuditQuery) -> Page[AuditRecord]:
        """A filtered page of records, newest first."""
        limit = check_limit(query.limit)
        where, params = _filters(query)
        if query.cursor:
            seq, _ = decode_cursor(query.cursor, SORT)
            where.append("seq < ?")
            params.append(int(seq))
        sql = f"SELECT seq, {COLUMNS} FROM audit_log"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self._conn.execute(sql + " ORDER BY seq DESC LIMIT ?", [*params, limit + 1])
        records = [_record(row) for row in rows]
        more = len(records) > limit
        records = records[:limit]
        cursor = encode_cursor(SORT, records[-1].seq, records[-1].id) if more else None
        return Page(items=records, next_cursor=cursor)


def _filters(query: AuditQuery) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    for column in ("action", "target_type", "target_id", "outcome"):
        value = getattr(query, column)
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if query.principal is not None:
        # A subject id or a username, so people can filter by the name they know.
        where.append("(principal = ? OR username = ?)")
        params += [query.principal, query.principal]
    if query.since is not None:
        where.append("at >= ?")
        params.append(query.since.isoformat())
    if query.until is not None:
        where.append("at < ?")
        params.append(query.until.isoformat())
    return where, params


def _record(row: sqlite3.Row) -> AuditRecord:
    data = dict(row)
    data["detail"] = json.loads(data["detail"])
    return AuditRecord.model_validate(data)
