"""`drorch backup` and `drorch restore`: the store of a data dir, to and from one file."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from drorch.cli.output import (
    EXIT_REFUSED,
    EXIT_USAGE,
    CliError,
    JsonOption,
    note,
    print_json,
    reports_errors,
)
from drorch.config import Settings
from drorch.errors import DrorchError

DataDirOption = Annotated[
    Path | None, typer.Option("--data-dir", help="The data dir (default: DRORCH_DATA_DIR, ./data).")
]


def register(app: typer.Typer) -> None:
    """Add the backup and restore commands to the root app."""
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)


@reports_errors
def backup_command(
    to: Annotated[
        Path | None,
        typer.Option(
            "--to", help="The file to write: a .tar.gz (SQLite) or a manifest (DynamoDB)."
        ),
    ] = None,
    data_dir: DataDirOption = None,
    pitr: Annotated[
        bool,
        typer.Option(
            "--pitr", help="DynamoDB: turn point-in-time recovery on and show its window."
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Back up the store, safe while a server runs: SQLite into one file, DynamoDB on demand."""
    from drorch.bootstrap import database_files, table_backups
    from drorch.services import backup

    settings = _settings(data_dir)
    managed = table_backups(settings)
    if managed is not None:
        _back_up_tables(managed, to, pitr, as_json)
        return
    if pitr:
        raise CliError("--pitr is for the DynamoDB store (DRORCH_STORE=dynamodb)", EXIT_USAGE)
    if to is None:
        raise CliError("say where to write the backup: --to FILE", EXIT_USAGE)
    with _refusals():
        manifest = backup.backup(
            files=database_files(settings),
            layout=_layout(settings),
            to=to,
            now=datetime.now(UTC),
        )
    _report(manifest, as_json, f"backup written to {to}")


@reports_errors
def restore_command(
    archive: Annotated[
        Path | None, typer.Argument(help="A file `drorch backup` wrote.", show_default=False)
    ] = None,
    data_dir: DataDirOption = None,
    force: Annotated[
        bool,
        typer.Option(help="Replace an existing database and restore even while a server runs."),
    ] = False,
    table_prefix: Annotated[
        str | None,
        typer.Option(help="DynamoDB: the prefix of the new tables the restore creates."),
    ] = None,
    point_in_time: Annotated[
        str | None,
        typer.Option(
            help="DynamoDB: restore the live tables as at this ISO 8601 time, or `latest`."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Restore a backup after checking it: SQLite into a data dir, DynamoDB into new tables."""
    from drorch.bootstrap import database_files, table_backups
    from drorch.services import backup

    settings = _settings(data_dir)
    managed = table_backups(settings)
    if managed is not None:
        _restore_tables(managed, archive, table_prefix, point_in_time, as_json)
        return
    if table_prefix or point_in_time:
        raise CliError("--table-prefix and --point-in-time are for the DynamoDB store", EXIT_USAGE)
    if archive is None:
        raise CliError("name the backup file to restore", EXIT_USAGE)
    with _refusals():
        manifest = backup.restore(
            files=database_files(settings), layout=_layout(settings), archive=archive, force=force
        )
    _report(manifest, as_json, f"restored {archive} into {settings.db_path}")


def _back_up_tables(managed: Any, to: Path | None, pitr: bool, as_json: bool) -> None:
    """DynamoDB: an on-demand backup to a manifest, and/or point-in-time recovery turned on."""
    from drorch.services import table_backup

    if to is None and not pitr:
        raise CliError("say where to write the backup manifest (--to FILE), or --pitr", EXIT_USAGE)
    answer: dict[str, Any] = {}
    with _refusals():
        if pitr:
            windows = table_backup.recovery_windows(backups=managed, enable=True)
            answer["point_in_time_recovery"] = [_window_json(w) for w in windows]
        if to is not None:
            answer.update(table_backup.backup_tables(backups=managed, to=to, now=datetime.now(UTC)))
    if as_json:
        print_json(answer)
        return
    for window in answer.get("point_in_time_recovery", []):
        note(f"point-in-time recovery of {window['table']}: {_window_words(window)}")
    if to is not None:
        arns = ", ".join(b["backup_arn"] for b in answer["backups"])
        note(f"backup manifest written to {to} ({len(answer['backups'])} tables: {arns})")


def _restore_tables(
    managed: Any, manifest: Path | None, prefix: str | None, at: str | None, as_json: bool
) -> None:
    """DynamoDB: restore a manifest's backups, or the live tables at a time, into new tables."""
    from drorch.services import table_backup

    if prefix is None:
        raise CliError("a DynamoDB restore makes new tables: give --table-prefix NEW", EXIT_USAGE)
    if (manifest is None) == (at is None):
        raise CliError("give either a backup manifest or --point-in-time, not both", EXIT_USAGE)
    with _refusals():
        if manifest is not None:
            answer = table_backup.restore_tables(
                backups=managed, manifest_path=manifest, prefix=prefix
            )
        else:
            answer = table_backup.restore_point_in_time(
                backups=managed, at=_instant(at), prefix=prefix
            )
    if as_json:
        print_json(answer)
        return
    note(
        f"restored into {', '.join(answer['restored_to'])}; "
        f"set DRORCH_DYNAMODB_TABLE_PREFIX={prefix} to use them"
    )


def _instant(text: str | None) -> datetime | None:
    """`latest` as None, else an ISO 8601 time (UTC when it names no offset)."""
    if text is None or text == "latest":
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"--point-in-time {text!r}: use ISO 8601 or `latest`", EXIT_USAGE) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _window_json(window: Any) -> dict[str, Any]:
    return {
        "table": window.table,
        "enabled": window.enabled,
        "earliest": window.earliest.isoformat() if window.earliest else None,
        "latest": window.latest.isoformat() if window.latest else None,
    }


def _window_words(window: dict[str, Any]) -> str:
    if not window["enabled"]:
        return "off"
    if window["earliest"] and window["latest"]:
        return f"on, restorable {window['earliest']} .. {window['latest']}"
    return "on"


def _settings(data_dir: Path | None) -> Settings:
    settings = Settings()
    return settings if data_dir is None else settings.model_copy(update={"data_dir": data_dir})


def _layout(settings: Settings) -> Any:
    from drorch.services.backup import Layout

    return Layout(data_dir=settings.data_dir, db_path=settings.db_path)


@contextmanager
def _refusals() -> Iterator[None]:
    """Turn a refusal of the backup service into the CLI's one error line."""
    try:
        yield
    except DrorchError as exc:
        raise CliError(exc.detail, EXIT_REFUSED) from None


def _report(manifest: dict[str, Any], as_json: bool, line: str) -> None:
    """The manifest as JSON, or one line and the row counts on stderr."""
    if as_json:
        print_json(manifest)
        return
    rows = sum(manifest["tables"].values())
    note(
        f"{line} (schema {manifest['schema_version']}, {len(manifest['tables'])} tables, "
        f"{rows} rows, created {manifest['created_at']})"
    )
