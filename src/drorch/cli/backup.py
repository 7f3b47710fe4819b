"""`drorch backup` and `drorch restore`: the store of a data dir, to and from one file."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from drorch.cli.output import EXIT_REFUSED, CliError, JsonOption, note, print_json, reports_errors
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
    to: Annotated[Path, typer.Option("--to", help="The backup file to write (a .tar.gz).")],
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Copy the store (safe while a server runs) into one compressed file with a manifest."""
    from drorch.bootstrap import database_files
    from drorch.services import backup

    settings = _settings(data_dir)
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
    archive: Annotated[Path, typer.Argument(help="A file `drorch backup` wrote.")],
    data_dir: DataDirOption = None,
    force: Annotated[
        bool,
        typer.Option(help="Replace an existing database and restore even while a server runs."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Restore a backup into a data dir after checking its checksums and schema version."""
    from drorch.bootstrap import database_files
    from drorch.services import backup

    settings = _settings(data_dir)
    with _refusals():
        manifest = backup.restore(
            files=database_files(settings), layout=_layout(settings), archive=archive, force=force
        )
    _report(manifest, as_json, f"restored {archive} into {settings.db_path}")


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
