"""Key encodings, cursors and versioned documents shared by the DynamoDB repositories."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from drorch.adapters.storage.dynamodb.table import Item
from drorch.adapters.storage.dynamodb.unit import Unit
from drorch.adapters.storage.paging import Cursors
from drorch.errors import ConflictError, NotFoundError, PreconditionFailedError, ValidationError

T = TypeVar("T")
# Joins a sort value to the id that breaks its ties: below every printable character, so
# `a<SEP>id` sorts before `ab<SEP>id` as the value `a` sorts before `ab`.
SEP = "\x1f"
FAR = "9999"  # a due time after every real one


def ts(moment: datetime) -> str:
    """A fixed-width UTC timestamp that sorts as text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_ts(text: str) -> datetime:
    """The datetime of a `ts` string."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def pad(n: int) -> str:
    """A number as text that sorts numerically."""
    return f"{n:020d}"


def joined(value: str | None, item_id: str) -> str:
    """A sort key: the value, then the id."""
    return f"{value or ''}{SEP}{item_id}"


def next_seq(unit: Unit, counter: str) -> int:
    """The next number of a store-wide sequence (an atomic counter: gaps on rollback)."""
    return unit.table.add("seq", counter, "n")


def encode_cursor(cursors: Cursors, sort: str, key: Item) -> str:
    """A signed cursor holding the key a page stopped at (LastEvaluatedKey, opaquely)."""
    return cursors.encode(sort, json.dumps(key, separators=(",", ":")), str(key["sk"]))


def decode_cursor(cursors: Cursors, cursor: str | None, sort: str) -> Item | None:
    """The key a cursor holds, refusing forged or foreign ones."""
    if not cursor:
        return None
    value, _ = cursors.decode(cursor, sort)
    try:
        key = json.loads(value)
    except (TypeError, ValueError) as exc:
        raise _bad() from exc
    if not isinstance(key, dict) or not all(isinstance(v, str) for v in key.values()):
        raise _bad()
    return key


def _bad() -> ValidationError:
    message = "the cursor is not one this API issued"
    return ValidationError(message, [{"path": "cursor", "message": message}])


def name_taken(noun: str, name: str) -> ConflictError:
    """The conflict raised when a unique name is already used."""
    return ConflictError(
        f"a {noun} named {name!r} already exists (names are case-insensitive)",
        conflicts=[{"field": "name", "value": name}],
    )


def parse_all(items: list[Item], parse: Callable[[str], T]) -> list[T]:
    """The documents the items hold."""
    return [parse(i["body"]) for i in items]


class Documents:
    """Versioned JSON documents of one kind: partition `kind`, sort key = id, unique names."""

    def __init__(self, unit: Unit, kind: str, noun: str, keep: tuple[str, ...] = ()) -> None:
        self.unit = unit
        self.kind = kind
        self.noun = noun
        self.keep = keep  # attributes other writers own, kept when the document is replaced

    def get(self, item_id: str) -> Item | None:
        """The stored item of a document."""
        return self.unit.get(self.kind, item_id)

    def by_name(self, name: str) -> Item | None:
        """The item of the document with this name, ignoring case."""
        pointer = self.unit.get(f"name#{self.kind}", name.lower())
        return self.get(pointer["id"]) if pointer else None

    def all(self) -> list[Item]:
        """Every item of the kind, by id."""
        return self.unit.query(self.kind)

    def add(self, item_id: str, body: str, version: int, name: str | None, **extra: Any) -> None:
        """Insert a document (ConflictError when the name or id is taken)."""
        if name is not None:
            self._take_name(name, item_id)
        if self.get(item_id) is not None:
            raise ConflictError(f"{self.noun} {item_id} exists already")
        self.unit.put(self._item(item_id, body, version, name, extra), new=True)

    def update(
        self,
        item_id: str,
        body: str,
        version: int,
        expected: int,
        name: str | None,
        **extra: Any,
    ) -> Item:
        """Replace a document stored at `expected` (its `keep` attributes carried over)."""
        old = self.check(item_id, expected)
        extra = {**{k: old[k] for k in self.keep if k in old}, **extra}
        if name is not None and old.get("name", "").lower() != name.lower():
            self._take_name(name, item_id)
            self.unit.delete(f"name#{self.kind}", old["name"].lower())
        self.unit.put(self._item(item_id, body, version, name, extra))
        return old

    def delete(self, item_id: str, expected: int | None) -> Item:
        """Delete a document after checking it exists at the expected version."""
        old = self.check(item_id, expected)
        if old.get("name") is not None:
            self.unit.delete(f"name#{self.kind}", old["name"].lower())
        self.unit.delete(self.kind, item_id)
        return old

    def check(self, item_id: str, expected: int | None) -> Item:
        """The stored item, or 404 when gone / 412 when not at the expected version."""
        old = self.get(item_id)
        if old is None:
            raise NotFoundError(f"{self.noun} {item_id} does not exist")
        if expected is not None and old["version"] != expected:
            raise PreconditionFailedError(
                f"{self.noun} {item_id} is at version {old['version']}, not {expected}; "
                "read it again and retry",
                current_version=old["version"],
            )
        return old

    def _take_name(self, name: str, item_id: str) -> None:
        pointer = self.unit.get(f"name#{self.kind}", name.lower())
        if pointer is not None and pointer["id"] != item_id:
            raise name_taken(self.noun, name)
        self.unit.put({"pk": f"name#{self.kind}", "sk": name.lower(), "id": item_id}, new=True)

    def _item(
        self, item_id: str, body: str, version: int, name: str | None, extra: dict[str, Any]
    ) -> Item:
        item: Item = {"pk": self.kind, "sk": item_id, "version": version, "body": body}
        if name is not None:
            item["name"] = name
        item.update({k: v for k, v in extra.items() if v is not None})
        return item
