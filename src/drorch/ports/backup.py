"""Port: copy, inspect and install the store's database file, and keep a data dir to oneself."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class Snapshot:
    """What a database copy holds: its schema version and the rows of each table."""

    schema_version: int
    counts: dict[str, int] = field(default_factory=dict)


class DatabaseFiles(Protocol):
    """The store's file-level operations a backup and a restore need."""

    def known_schema_version(self) -> int: ...
    def copy_to(self, source: Path, dest: Path) -> Snapshot: ...
    def inspect(self, path: Path) -> Snapshot: ...
    def install(self, draft: Path, target: Path) -> None: ...
    def exclusive(self, data_dir: Path) -> AbstractContextManager[bool]: ...
