"""How an execution is split into records, and which of them a change touched (pure).

An execution is stored as separate records so that a pass writes only what changed:

* the **header**: the Execution's own fields (status, cleanup, retries, pauses, version...),
  rewritten on every save because it carries the version the save is conditioned on;
* the **snapshot** (plan, groups, selected waves) and one **snapshot server** record per
  server: written once, at start;
* one **wave** record per wave (its fields without the server list);
* one **server** record per server run;
* one **batch** record per DRS job drorch started (LAUNCH or TERMINATE; new kinds of
  batch or intent are new records of the same shape).

Timeline events, operator commands, intents, claims, capacity and the schedule/lease row
are records of their own, written through the repository's other methods.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from drorch.domain.executions import Execution, ServerRun, Snapshot

T = TypeVar("T")

# Header fields a change of which is no reason to save: they move on every save anyway.
VOLATILE = frozenset({"version", "updated_at", "next_look_at"})
SPLIT = frozenset({"snapshot", "waves", "batches"})


@dataclass(frozen=True)
class ExecutionChanges:
    """The records of an execution that differ from its stored state."""

    header: bool = False
    waves: list[str] = field(default_factory=list)
    servers: list[str] = field(default_factory=list)
    batches: list[str] = field(default_factory=list)
    # Servers (among `servers`) whose launch-settings record, a record of its own, is unchanged:
    # a save need not rewrite it (not listed: written with the server).
    same_settings: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        """True when at least one record changed."""
        return bool(self.header or self.waves or self.servers or self.batches)

    @property
    def records(self) -> int:
        """How many records the save writes besides the header."""
        return len(self.waves) + len(self.servers) + len(self.batches)


def changed_records(before: Execution, after: Execution) -> ExecutionChanges:
    """The records of `after` that differ from `before` (the same execution, later)."""
    servers = _changed_servers(before, after)
    return ExecutionChanges(
        header=_header_changed(before, after),
        waves=_changed_waves(before, after),
        servers=[new.source_server_id for _, new in servers],
        batches=_changed_batches(before, after),
        same_settings=[
            new.source_server_id
            for old, new in servers
            if old.launch_settings is new.launch_settings
            or old.launch_settings == new.launch_settings
        ],
    )


def _header_changed(before: Execution, after: Execution) -> bool:
    old, new = before.__dict__, after.__dict__
    return any(old[k] != new[k] for k in new if k not in SPLIT and k not in VOLATILE)


def _changed_waves(before: Execution, after: Execution) -> list[str]:
    changed = []
    for old, new in zip(before.waves, after.waves, strict=True):
        if any(old.__dict__[k] != v for k, v in new.__dict__.items() if k != "servers"):
            changed.append(new.name)
    return changed


def _changed_servers(before: Execution, after: Execution) -> list[tuple[ServerRun, ServerRun]]:
    # Working copies share the servers no step touched: identity settles most at once.
    changed = []
    for old_wave, new_wave in zip(before.waves, after.waves, strict=True):
        if old_wave.servers is new_wave.servers:
            continue
        changed += [
            (old, new)
            for old, new in zip(old_wave.servers, new_wave.servers, strict=True)
            if old is not new and old.__dict__ != new.__dict__
        ]
    return changed


def _changed_batches(before: Execution, after: Execution) -> list[str]:
    # Batches are only ever appended, so positions line up.
    old = before.batches
    return [
        b.batch_id
        for i, b in enumerate(after.batches)
        if i >= len(old) or old[i].batch_id != b.batch_id or old[i].__dict__ != b.__dict__
    ]


def server_positions(ex: Execution) -> dict[str, tuple[int, int]]:
    """Server id -> (wave index, position in the wave), computed once per snapshot."""
    return per_snapshot(ex.snapshot, "positions", lambda: _positions(ex))


def _positions(ex: Execution) -> dict[str, tuple[int, int]]:
    return {
        s.source_server_id: (w, p)
        for w, wave in enumerate(ex.waves)
        for p, s in enumerate(wave.servers)
    }


_CACHE: dict[int, dict[str, Any]] = {}


def per_snapshot(snapshot: Snapshot, key: str, compute: Callable[[], T]) -> T:
    """A value derived from the frozen snapshot, computed once and shared by every copy."""
    # Keyed by identity: every working copy shares its execution's snapshot object, and
    # the entry goes when the snapshot does.
    found = _CACHE.get(id(snapshot))
    if found is None:
        found = _CACHE[id(snapshot)] = {}
        weakref.finalize(snapshot, _CACHE.pop, id(snapshot), None)
    if key not in found:
        found[key] = compute()
    value: T = found[key]
    return value
