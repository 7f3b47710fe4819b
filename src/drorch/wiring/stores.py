"""Wiring of the store (SQLite or DynamoDB), its cursor key and its backups."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from drorch.config import Settings
from drorch.ports.backup import DatabaseFiles, TableBackups
from drorch.ports.store import Store

if TYPE_CHECKING:
    pass


def make_store(settings: Settings) -> Store:
    """The store the settings name: the SQLite file, or DynamoDB (each imported only then)."""
    if settings.store == "dynamodb":
        return _dynamodb_store(settings)
    from drorch.adapters.storage.sqlite import SqliteStore

    return SqliteStore(
        settings.db_path, cache_mb=settings.sqlite_cache_mb, cursor_key=cursor_key(settings)
    )


def _dynamodb_store(settings: Settings) -> Store:
    """The DynamoDB store (tables created when missing)."""
    from drorch.adapters.storage.dynamodb import DynamoStore

    return DynamoStore(
        _dynamodb_client(settings),
        prefix=settings.dynamodb_table_prefix,
        cursor_key=cursor_key(settings),
    )


def _dynamodb_client(settings: Settings) -> Any:
    """A DynamoDB client from the hub's session, at the configured endpoint."""
    from botocore.config import Config

    from drorch.adapters.aws.sts import StsSessions

    hub = StsSessions(region=settings.aws_region, endpoint_url=settings.aws_endpoint_url_sts)
    return hub.session(None, purpose="store").client(
        "dynamodb",
        region_name=settings.aws_region,
        endpoint_url=settings.dynamodb_endpoint_url,
        # The adapter retries throttling itself, with jitter; botocore tries once more only.
        config=Config(retries={"mode": "standard", "total_max_attempts": 2}),
    )


def cursor_key(settings: Settings) -> bytes:
    """The key signing list cursors: configured, else kept in the data dir."""
    from drorch.adapters.keyfile import load_or_create_key

    if settings.cursor_secret is not None:
        return settings.cursor_secret.get_secret_value().encode()
    return load_or_create_key(settings.cursor_key_path)


def database_files(settings: Settings) -> DatabaseFiles:
    """The store's file operations for backup and restore (SQLite is the only file store)."""
    from drorch.adapters.storage.sqlite.backup import SqliteFiles

    return SqliteFiles()


def table_backups(settings: Settings) -> TableBackups | None:
    """Backups of a store kept in managed tables (DynamoDB); None for the SQLite file store."""
    if settings.store != "dynamodb":
        return None
    from drorch.adapters.storage.dynamodb.backup import DynamoBackups

    return DynamoBackups(_dynamodb_client(settings), settings.dynamodb_table_prefix)


def data_dir_held(settings: Settings) -> AbstractContextManager[None]:
    """The data dir's lock, held shared while a server or worker runs (a restore waits for it)."""
    from drorch.adapters.datadir_lock import held_shared

    return held_shared(settings.data_dir)


def scheduled_backups(settings: Settings) -> Any:
    """What a backup schedule writes: archives of the SQLite file, or DynamoDB backups."""
    from drorch.services.backup import Layout
    from drorch.services.scheduled_backup import ScheduledBackups, ScheduledTableBackups

    managed = table_backups(settings)
    if managed is not None:
        return ScheduledTableBackups(managed)
    return ScheduledBackups(database_files(settings), Layout(settings.data_dir, settings.db_path))
