"""Read views of one stored execution version: counts, server rows, the timeline, changes.

Pure: built from an `Execution` once per stored version and never changed afterwards, so
every reader of that version shares one view. Nothing here depends on the wall clock:
durations are for clients to compute from the timestamps, so a view of an unchanged
execution stays byte-for-byte the same however often it is read.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from drorch.domain.executions import Batch, Execution, ServerRun, WaveRun

T = TypeVar("T")
OPEN_BATCHES = frozenset({"INTENDED", "ACTIVE"})


@dataclass(frozen=True)
class RunServer:
    """One server of the run, where it sits in plan order (wave by wave) and its wave."""

    position: int
    wave: str
    server: ServerRun


@dataclass(frozen=True)
class ServerFilter:
    """Which servers of a run a page holds; every given filter must match."""

    wave: str | None = None
    statuses: frozenset[str] = frozenset()
    account_id: str | None = None
    search: str | None = None


NO_FILTER = ServerFilter()


@dataclass(frozen=True)
class BatchSpan:
    """One DRS job on the timeline: when it ran and how its servers fared."""

    batch: Batch
    server_count: int
    first_start: datetime | None
    last_end: datetime | None
    counts: dict[str, int]


@dataclass(frozen=True)
class WaveSpan:
    """One wave on the timeline with its LAUNCH jobs."""

    wave: WaveRun
    batches: list[BatchSpan]


@dataclass(frozen=True)
class Timeline:
    """The run per wave and per DRS job; the drill cleanup's TERMINATE jobs apart."""

    waves: list[WaveSpan]
    cleanup: list[BatchSpan]


@dataclass
class RunView:
    """Everything readers need of one stored version of an execution, computed once."""

    execution: Execution
    rows: list[RunServer]
    wave_counts: dict[str, dict[str, int]]
    counts: dict[str, int]
    _by_status: dict[str, list[int]]
    _by_account: dict[str, list[int]]
    _wave_ranges: dict[str, tuple[int, int]]
    _haystacks: list[str]
    _derived: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def id(self) -> str:
        """The execution's id."""
        return self.execution.id

    @property
    def version(self) -> int:
        """The stored version this view shows."""
        return self.execution.version

    def derived(self, key: str, build: Callable[[], T]) -> T:
        """`build()` once per view (e.g. a rendering of it), then the same value every time."""
        with self._lock:
            if key in self._derived:
                return self._derived[key]  # type: ignore[no-any-return]
        value = build()  # outside the lock: a slow build must not hold up other keys
        with self._lock:
            return self._derived.setdefault(key, value)  # type: ignore[no-any-return]

    def select(self, where: ServerFilter, *, after: int, limit: int) -> list[RunServer]:
        """Up to `limit` servers matching `where`, in plan order, past position `after`."""
        if where == NO_FILTER:  # the plain page walk: a slice, no row tested
            return self.rows[after + 1 : after + 1 + limit]
        found: list[RunServer] = []
        for position in self._candidates(where, after):
            row = self.rows[position]
            if _matches(row, where, self._haystacks[position]):
                found.append(row)
                if len(found) >= limit:
                    break
        return found

    def _candidates(self, where: ServerFilter, after: int) -> Iterable[int]:
        """Positions past `after` worth checking, from the narrowest index that applies."""
        choices: list[list[int] | range] = [range(after + 1, len(self.rows))]
        if where.wave is not None:
            start, end = self._wave_ranges.get(where.wave, (0, 0))
            choices.append(range(max(start, after + 1), end))
        if where.statuses:
            merged = sorted(p for s in where.statuses for p in self._by_status.get(s, []))
            choices.append(merged[bisect_right(merged, after) :])
        if where.account_id is not None:
            mine = self._by_account.get(where.account_id, [])
            choices.append(mine[bisect_right(mine, after) :])
        return min(choices, key=len)

    def timeline(self) -> Timeline:
        """Per wave and per DRS job: start, end and server counts, no server lists."""
        return self.derived("timeline", self._timeline)

    def _timeline(self) -> Timeline:
        servers = {r.server.source_server_id: r.server for r in self.rows}
        launches: dict[str | None, list[BatchSpan]] = {}
        cleanup: list[BatchSpan] = []
        for batch in self.execution.batches:
            span = _batch_span(batch, servers)
            if batch.kind == "LAUNCH":
                launches.setdefault(batch.wave, []).append(span)
            else:
                cleanup.append(span)
        waves = [WaveSpan(wave=w, batches=launches.get(w.name, [])) for w in self.execution.waves]
        return Timeline(waves=waves, cleanup=cleanup)

    def changed_since(self, older: RunView) -> list[RunServer]:
        """The servers whose state differs from `older` (a view of the same execution)."""
        if older.id != self.id or len(older.rows) != len(self.rows):
            return list(self.rows)
        if older.version == self.version:
            return []
        return self.derived(
            f"changed-since:{older.version}",
            lambda: [r for r, o in zip(self.rows, older.rows, strict=True) if r.server != o.server],
        )

    def open_jobs(self) -> int:
        """DRS jobs started (or being started) and not yet ended."""
        return sum(b.state in OPEN_BATCHES for b in self.execution.batches)


def view_of(execution: Execution) -> RunView:
    """The read view of one execution as stored."""
    rows, ranges = _rows(execution.waves)
    by_status: dict[str, list[int]] = {}
    by_account: dict[str, list[int]] = {}
    for row in rows:
        by_status.setdefault(row.server.status, []).append(row.position)
        by_account.setdefault(row.server.account_id, []).append(row.position)
    wave_counts = {w.name: counts_of(w.servers) for w in execution.waves}
    return RunView(
        execution=execution,
        rows=rows,
        wave_counts=wave_counts,
        counts={s: len(p) for s, p in sorted(by_status.items())},
        _by_status=by_status,
        _by_account=by_account,
        _wave_ranges=ranges,
        _haystacks=[_haystack(r.server) for r in rows],
    )


def counts_of(servers: Iterable[ServerRun]) -> dict[str, int]:
    """Servers by status, statuses in alphabetical order."""
    return dict(sorted(Counter(s.status for s in servers).items()))


def _rows(waves: list[WaveRun]) -> tuple[list[RunServer], dict[str, tuple[int, int]]]:
    rows: list[RunServer] = []
    ranges: dict[str, tuple[int, int]] = {}
    for wave in waves:
        start = len(rows)
        rows += [RunServer(start + i, wave.name, s) for i, s in enumerate(wave.servers)]
        ranges[wave.name] = (start, len(rows))
    return rows, ranges


def _haystack(server: ServerRun) -> str:
    """What a search looks in: ids, hostname, the job and the instances, lower case."""
    parts = (
        server.source_server_id,
        server.hostname,
        server.job_id,
        server.recovery_instance_id,
        server.ec2_instance_id,
    )
    return " ".join(p for p in parts if p).lower()


def _matches(row: RunServer, where: ServerFilter, haystack: str) -> bool:
    server = row.server
    return (
        (where.wave is None or row.wave == where.wave)
        and (not where.statuses or server.status in where.statuses)
        and (where.account_id is None or server.account_id == where.account_id)
        and (not where.search or where.search.lower() in haystack)
    )


def _batch_span(batch: Batch, servers: dict[str, ServerRun]) -> BatchSpan:
    mine = [servers[s] for s in batch.source_server_ids if s in servers]
    if batch.kind == "LAUNCH":
        # Launch evidence; a server relaunched by a later batch shows under that one.
        mine = [s for s in mine if s.batch_id in (None, batch.batch_id)]
        starts = [s.started_at for s in mine if s.started_at]
        ends = [s.ended_at for s in mine if s.ended_at]
    else:
        starts, ends = [], [s.terminated_at for s in mine if s.terminated_at]
    return BatchSpan(
        batch=batch,
        server_count=len(batch.source_server_ids),
        first_start=min(starts) if starts else batch.started_at,
        last_end=max(ends) if ends else batch.ended_at,
        counts=counts_of(mine),
    )
