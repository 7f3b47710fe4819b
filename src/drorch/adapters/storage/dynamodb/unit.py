"""A DynamoDB unit of work: reads go to the table, writes are buffered and committed at once.

Every write is conditioned on what the unit read: an item read as absent is put with
`attribute_not_exists(pk)`, an item read at revision r only while its `rev` is still r.
So two units that decided on the same state can never both commit (the loser gets
ConflictError), which is the guarantee SQLite's writer lock gave. Reads see the unit's
own buffered writes (read-your-writes), as a SQLite transaction does.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable
from typing import Any

from drorch.adapters.storage.dynamodb.table import MAX_TRANSACTION, Item, Table
from drorch.errors import ConflictError, StoreLimitError

log = logging.getLogger(__name__)
Key = tuple[str, str]
Select = Callable[[list[Item]], list[Item]]
Op = dict[str, Any]


def key_of(item: Item) -> Key:
    """The primary key of an item."""
    return item["pk"], item["sk"]


class Unit:
    """The buffered writes, the revisions read, and the steps around the commit."""

    def __init__(self, table: Table, *, write: bool) -> None:
        self.table = table
        self.write = write
        self._buffer: dict[Key, Item | None] = {}
        self._base: dict[Key, str | None] = {}  # rev read from the table; None = absent
        self._new: set[Key] = set()
        self._seen: dict[Key, Item | None] = {}  # what was read, to put back on rollback
        self._ahead: set[Key] = set()  # written in chunks before the commit, not in it
        self.before: list[Callable[[], None]] = []  # chunked writes ahead of the commit
        self.undo: list[Callable[[], None]] = []  # what `before` wrote, if the commit fails
        self.after: list[Callable[[], None]] = []  # idempotent clean-up after it
        self._adds: dict[Key, dict[str, int]] = {}  # atomic counters moved by the commit
        self._guards: dict[Key, Callable[[], Exception]] = {}  # read items the commit needs
        self._refresh: dict[Key, Callable[[], None]] = {}  # re-read and re-buffer, retry once
        self._undo_now: list[Callable[[], None]] = []  # what put_now wrote, if the unit fails

    # -- reads ----------------------------------------------------------------------

    def get(self, pk: str, sk: str) -> Item | None:
        """One item as this unit sees it."""
        key = (pk, sk)
        if key in self._buffer:
            found = self._buffer[key]
            return dict(found) if found is not None else None
        item = self.table.get(pk, sk)
        self._saw(key, item)
        return item

    def get_many(self, keys: Iterable[Key]) -> dict[Key, Item]:
        """The items that exist among the keys, by key."""
        wanted = list(dict.fromkeys(keys))
        found = {k: dict(v) for k in wanted if (v := self._buffer.get(k)) is not None}
        missing = [k for k in wanted if k not in self._buffer]
        for item in self.table.batch_get(missing) if missing else []:
            found[key_of(item)] = item
        for key in missing:
            self._saw(key, found.get(key))
        return found

    def query(
        self,
        pk: str,
        *,
        index: str | None = None,
        prefix: str | None = None,
        upto: str | None = None,
        forward: bool = True,
    ) -> list[Item]:
        """Every item of a partition (of the table or an index), merged with the buffer."""
        found = list(
            self.table.query_all(pk, index=index, prefix=prefix, upto=upto, forward=forward)
        )
        if index is None:
            for item in found:
                self._saw(key_of(item), item)
        if not self._buffer:
            return found
        pk_name, sk_name = _names(index)
        merged = {key_of(i): i for i in found if key_of(i) not in self._buffer}
        for key, buffered in self._buffer.items():
            if (
                buffered is not None
                and buffered.get(pk_name) == pk
                and _within(buffered.get(sk_name), prefix, upto)
            ):
                merged[key] = dict(buffered)
        return sorted(merged.values(), key=lambda i: i[sk_name], reverse=not forward)

    def page(
        self,
        pk: str,
        *,
        index: str | None,
        forward: bool,
        limit: int,
        start: Item | None,
        select: Select | None = None,
    ) -> tuple[list[Item], Item | None]:
        """Up to `limit` selected items after `start`, and the key to resume after (or None)."""
        if self._touches(pk, index):
            return self._page_in_memory(pk, index, forward, limit, start, select)
        taken: list[Item] = []
        cursor = start
        fetch = limit + 1 if select is None else max(4 * (limit + 1), 100)
        while len(taken) <= limit:
            items, last = self.table.query(
                pk, index=index, forward=forward, limit=min(fetch, 1000), start=cursor
            )
            taken += select(items) if select else items
            if last is None:
                break
            cursor = last
        return _cut(taken, limit, index)

    def _page_in_memory(
        self,
        pk: str,
        index: str | None,
        forward: bool,
        limit: int,
        start: Item | None,
        select: Select | None,
    ) -> tuple[list[Item], Item | None]:
        _, sk_name = _names(index)
        items = self.query(pk, index=index, forward=forward)
        if start is not None:
            mark = start[sk_name]
            items = [i for i in items if (i[sk_name] > mark if forward else i[sk_name] < mark)]
        return _cut(select(items) if select else items, limit, index)

    @property
    def dirty(self) -> bool:
        """True once the unit has buffered a write."""
        return bool(self._buffer)

    def _touches(self, pk: str, index: str | None) -> bool:
        pk_name, _ = _names(index)
        return any(i is not None and i.get(pk_name) == pk for i in self._buffer.values())

    def _saw(self, key: Key, item: Item | None) -> None:
        if self.write and key not in self._base and key not in self._buffer:
            self._base[key] = item.get("rev", "") if item is not None else None
            self._seen[key] = item

    def forget(self, key: Key) -> None:
        """Forget what was read at `key`, so the next read conditions the unit afresh."""
        self._base.pop(key, None)
        self._seen.pop(key, None)

    def rebase(self, key: Key, rev: str) -> None:
        """Condition the commit on `rev`: this unit itself moved the item on since reading."""
        self._base[key] = rev

    # -- writes ---------------------------------------------------------------------

    def put(self, item: Item, *, new: bool = False, ahead: bool = False) -> None:
        """Buffer an item; `new` makes the commit refuse it if the key exists by then.

        `ahead` items are written before the atomic commit, in chunks (conditional ones
        in transactions of 100, blind ones in batches): for groups of writes over
        DynamoDB's transaction limit that a use case has made safe to land first.
        """
        key = key_of(item)
        stored = dict(item)
        stored["rev"] = secrets.token_hex(6)
        self._buffer[key] = stored
        if new and key not in self._base:
            self._new.add(key)
        if ahead:
            self._ahead.add(key)

    def delete(self, pk: str, sk: str, *, ahead: bool = False) -> None:
        """Buffer the deletion of an item."""
        self._buffer[(pk, sk)] = None
        if ahead:
            self._ahead.add((pk, sk))

    def operations(self, keys: Iterable[Key] | None = None) -> list[dict[str, Any]]:
        """The TransactWriteItems entries of the buffer (or of `keys`), with conditions."""
        return [op for _, op in self._labelled(keys)]

    def _labelled(self, keys: Iterable[Key] | None = None) -> list[tuple[Key, Op]]:
        """Each entry with the key it writes or checks; the commit's own carry counters too."""
        ops: list[tuple[Key, Op]] = []
        chosen = [k for k in self._buffer if k not in self._ahead] if keys is None else keys
        for key in chosen:
            item = self._buffer[key]
            condition = self._condition(key)
            if item is None:
                if key in self._base and self._base[key] is None:
                    continue  # read as absent and still absent: nothing to write
                ops.append((key, self.table.delete_op(*key, condition)))
            else:
                ops.append((key, self.table.put_op(item, condition)))
        if keys is not None:
            return ops
        ops += [(k, self.table.update_op(*k, adds)) for k, adds in self._adds.items()]
        if not ops:
            return ops  # guards go with a commit that writes something
        written = {k for k, _ in ops}
        for key in self._guards:
            if key not in written and key in self._base:
                ops.append((key, self.table.check_op(*key, self._base[key])))
        return ops

    def add_to(self, pk: str, sk: str, field: str, by: int = 1) -> None:
        """Add to a counter attribute in the commit (atomic ADD; several units never clash)."""
        adds = self._adds.setdefault((pk, sk), {})
        adds[field] = adds.get(field, 0) + by

    def guard(self, key: Key, lost: Callable[[], Exception]) -> None:
        """Commit only while the item read at `key` is unchanged; else raise `lost()`."""
        self._guards[key] = lost

    def retry_with(self, key: Key, refresh: Callable[[], None]) -> None:
        """When the commit fails on `key` alone, run `refresh` (re-read, re-put) and retry once."""
        self._refresh[key] = refresh

    def put_now(self, item: Item) -> Item:
        """Write an item at once, conditioned on what this unit read (ConflictError if moved).

        The unit goes on from the new revision; should it fail or not commit, the item is
        put back (only while it is still at the revision written here).
        """
        key = key_of(item)
        stored = dict(item)
        stored["rev"] = secrets.token_hex(6)
        self.table.transact([self.table.put_op(stored, self._condition(key))])
        self._buffer.pop(key, None)
        old = self._seen.get(key)
        self._base[key] = stored["rev"]
        self._undo_now.append(lambda: self._put_back(key, old, stored["rev"]))
        return stored

    def _put_back(self, key: Key, old: Item | None, rev: str) -> None:
        condition = ("rev = :rev", {":rev": rev})
        try:
            if old is None:
                self.table.transact([self.table.delete_op(*key, condition)])
            else:
                self.table.transact([self.table.put_op(old, condition)])
        except ConflictError:
            pass  # moved on since (e.g. a lease that expired and was taken): leave it

    def _write_ahead(self) -> None:
        """The `ahead` items: blind ones batched, conditional ones in chunked transactions."""
        blind = [k for k in self._ahead if self._condition(k) is None]
        guarded = [k for k in self._ahead if self._condition(k) is not None]
        puts = [self._buffer[k] for k in blind if self._buffer[k] is not None]
        deletes = [k for k in blind if self._buffer[k] is None]
        self.table.batch_write([p for p in puts if p is not None], deletes)
        for start in range(0, len(guarded), MAX_TRANSACTION):
            chunk = guarded[start : start + MAX_TRANSACTION]
            self.table.transact(self.operations(chunk))
            self.undo.append(lambda chunk=chunk: self._restore(chunk))  # type: ignore[misc]

    def _restore(self, keys: list[Key]) -> None:
        """Put back what the keys held before this unit wrote them ahead."""
        puts = [old for k in keys if (old := self._seen.get(k)) is not None]
        deletes = [k for k in keys if self._seen.get(k) is None]
        self.table.batch_write(puts, deletes)

    def _condition(self, key: Key) -> tuple[str, dict[str, Any]] | None:
        if key in self._base:
            rev = self._base[key]
            if rev is None:
                return "attribute_not_exists(pk)", {}
            if rev == "":
                return "attribute_not_exists(rev)", {}
            return "rev = :rev", {":rev": rev}
        if key in self._new:
            return "attribute_not_exists(pk)", {}
        return None

    def commit(self) -> None:
        """Run the steps before, commit the buffer atomically, then the steps after."""
        labelled = self._labelled()
        if len(labelled) > MAX_TRANSACTION:
            raise StoreLimitError(
                f"one unit of work writes {len(labelled)} items; DynamoDB commits at most "
                f"{MAX_TRANSACTION} atomically, so this use case must be split into steps"
            )
        try:
            for step in self.before:
                step()
            if self._ahead:
                self._write_ahead()
            # A step before may have moved an item on itself (rebase): condition on that.
            self._final(self._labelled() if self.before else labelled)
        except BaseException:
            self.rollback()
            raise
        for step in self.after:
            step()

    def _final(self, labelled: list[tuple[Key, Op]]) -> None:
        """The atomic commit; a guard that failed raises its error, a refreshable one retries."""
        try:
            self.table.transact([op for _, op in labelled])
        except ConflictError as exc:
            failed = _failed_keys(exc, labelled)
            for key in failed:
                if key in self._guards:
                    raise self._guards[key]() from exc
            if not failed or any(k not in self._refresh for k in failed):
                raise
            for key in failed:
                self._refresh.pop(key)()
            self._final(self._labelled())

    def abandon(self) -> None:
        """The block raised before the commit: put back what `put_now` wrote."""
        self._run_undo(self._undo_now)

    def rollback(self) -> None:
        """Take back what the steps before the commit wrote (best effort)."""
        self._run_undo(self.undo + self._undo_now)

    @staticmethod
    def _run_undo(steps: list[Callable[[], None]]) -> None:
        for step in reversed(steps):
            try:
                step()
            except Exception:  # the original error matters more; orphans stay invisible
                log.exception("could not take back a partial DynamoDB write")


def _failed_keys(exc: ConflictError, labelled: list[tuple[Key, Op]]) -> list[Key]:
    """The keys whose conditions failed (a single conditional write: its own key)."""
    if len(labelled) == 1:
        return [labelled[0][0]]
    return [labelled[i][0] for i in exc.extra.get("failed_items", []) if i < len(labelled)]


def _names(index: str | None) -> tuple[str, str]:
    return (f"{index}pk", f"{index}sk") if index else ("pk", "sk")


def _within(value: Any, prefix: str | None, upto: str | None) -> bool:
    if not isinstance(value, str):
        return False
    if prefix is not None:
        return value.startswith(prefix)
    return upto is None or value <= upto


def _cut(items: list[Item], limit: int, index: str | None) -> tuple[list[Item], Item | None]:
    """The first `limit` items and, when more follow, the key of the last one kept."""
    if len(items) <= limit:
        return items, None
    last = items[limit - 1]
    names = ["pk", "sk", *(_names(index) if index else ())]
    return items[:limit], {n: last[n] for n in names}
