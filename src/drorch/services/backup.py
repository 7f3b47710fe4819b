"""Backup and restore of the store: one tar.gz of the database copy, its keys and a manifest."""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from drorch import __version__
from drorch.errors import BackupError
from drorch.ports.backup import DatabaseFiles

FORMAT = "drorch-backup/1"
MANIFEST = "manifest.json"
DATABASE = "drorch.db"
# The keys travel with the database so its cursors and sessions stay valid after a restore.
KEY_FILES = ("jwt.key", "cursor.key")
CHUNK = 1 << 20


@dataclass(frozen=True)
class Layout:
    """Where a data dir keeps its database and key files."""

    data_dir: Path
    db_path: Path

    def target(self, member: str) -> Path:
        """The file a member of the archive restores to."""
        return self.db_path if member == DATABASE else self.data_dir / member


def backup(*, files: DatabaseFiles, layout: Layout, to: Path, now: datetime) -> dict[str, Any]:
    """Write a compressed backup of the data dir's store to `to`; returns its manifest."""
    to.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=to.parent, prefix=".drorch-backup-") as work:
        copy = Path(work) / DATABASE
        snapshot = files.copy_to(layout.db_path, copy)
        members = {DATABASE: copy}
        keys = {name: layout.data_dir / name for name in KEY_FILES}
        members.update({name: path for name, path in keys.items() if path.exists()})
        manifest = {
            "format": FORMAT,
            "drorch_version": __version__,
            "schema_version": snapshot.schema_version,
            "created_at": now.isoformat(),
            "tables": snapshot.counts,
            "files": {name: _digest_file(path) for name, path in members.items()},
        }
        _write_archive(Path(work) / "archive.tar.gz", manifest, members)
        os.replace(Path(work) / "archive.tar.gz", to)
    return manifest


def restore(*, files: DatabaseFiles, layout: Layout, archive: Path, force: bool) -> dict[str, Any]:
    """Restore a backup into the data dir, checking everything before writing anything."""
    manifest = verify(files=files, archive=archive)
    with files.exclusive(layout.data_dir) as alone:
        if not alone and not force:
            raise BackupError(
                f"a drorch server or worker is running on {layout.data_dir} "
                "(it holds drorch.lock); stop it first or pass --force"
            )
        if not force:
            _refuse_overwrites(layout, manifest)
        _install(files, layout, archive, manifest)
    return manifest


def verify(*, files: DatabaseFiles, archive: Path) -> dict[str, Any]:
    """The archive's manifest once every file's checksum and the schema version are good."""
    with _reading(archive) as tar:
        manifest = _manifest(tar, archive)
        for name, expected in manifest["files"].items():
            if _digest_stream(_member(tar, name, archive)) != expected["sha256"]:
                raise BackupError(f"{archive}: checksum mismatch for {name}; the backup is corrupt")
    known = files.known_schema_version()
    if manifest["schema_version"] > known:
        raise BackupError(
            f"{archive} has schema version {manifest['schema_version']}, newer than this "
            f"drorch knows ({known}); restore it with drorch {manifest['drorch_version']} or later"
        )
    return manifest


def _refuse_overwrites(layout: Layout, manifest: dict[str, Any]) -> None:
    """Refuse to replace an existing database, or a key that differs from the backup's."""
    if layout.db_path.exists():
        raise BackupError(f"{layout.db_path} already exists; pass --force to replace it")
    for name, expected in manifest["files"].items():
        path = layout.target(name)
        if name != DATABASE and path.exists() and _digest_file(path) != expected:
            raise BackupError(f"{path} differs from the backup's; pass --force to replace it")


def _install(files: DatabaseFiles, layout: Layout, archive: Path, manifest: dict[str, Any]) -> None:
    """Extract every file beside its target, check it, then rename keys and database in."""
    drafts: dict[str, Path] = {}
    try:
        with _reading(archive) as tar:
            for name, expected in manifest["files"].items():
                drafts[name] = _extract(tar, name, archive, layout.target(name), expected)
        snapshot = files.inspect(drafts[DATABASE])
        if snapshot.schema_version != manifest["schema_version"]:
            raise BackupError(f"{archive}: the database's schema differs from its manifest")
        for name, draft in drafts.items():
            if name != DATABASE:
                os.replace(draft, layout.target(name))
        files.install(drafts[DATABASE], layout.db_path)
    finally:
        for draft in drafts.values():
            draft.unlink(missing_ok=True)


def _extract(
    tar: tarfile.TarFile, name: str, archive: Path, target: Path, expected: dict[str, Any]
) -> Path:
    """Write one member beside its target (0600), verifying its checksum on the way."""
    target.parent.mkdir(parents=True, exist_ok=True)
    draft = target.with_name(f".{target.name}.restore-{secrets.token_hex(4)}")
    digest = hashlib.sha256()
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        source = _member(tar, name, archive)
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    if digest.hexdigest() != expected["sha256"]:
        draft.unlink()
        raise BackupError(f"{archive}: checksum mismatch for {name}; the backup is corrupt")
    return draft


@contextmanager
def _reading(archive: Path) -> Iterator[tarfile.TarFile]:
    """The archive open for reading; any damage becomes one BackupError line."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            yield tar
    except FileNotFoundError:
        raise BackupError(f"{archive} does not exist") from None
    except (tarfile.TarError, EOFError, zlib.error, OSError, ValueError) as exc:
        raise BackupError(f"{archive} is not a readable drorch backup ({exc})") from None


def _manifest(tar: tarfile.TarFile, archive: Path) -> dict[str, Any]:
    """The manifest member, checked for the fields a restore relies on."""
    try:
        manifest = json.loads(_member(tar, MANIFEST, archive).read())
        valid = manifest["format"] == FORMAT and DATABASE in manifest["files"]
        int(manifest["schema_version"])
    except (ValueError, KeyError, TypeError):
        valid = False
    if not valid:
        raise BackupError(f"{archive} has no valid drorch backup manifest")
    return dict(manifest)


def _member(tar: tarfile.TarFile, name: str, archive: Path) -> IO[bytes]:
    """A regular file of the archive by name."""
    try:
        source = tar.extractfile(name)
    except KeyError:
        source = None
    if source is None:
        raise BackupError(f"{archive} lacks {name}")
    return source


def _write_archive(path: Path, manifest: dict[str, Any], members: dict[str, Path]) -> None:
    """Manifest first, then each file; readable by the owner only (it holds the keys)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
        body = json.dumps(manifest, indent=2).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(body)
        info.mode = 0o600
        tar.addfile(info, io.BytesIO(body))
        for name, source in members.items():
            tar.add(source, arcname=name, recursive=False)
        raw.flush()
        os.fsync(raw.fileno())


def _digest_file(path: Path) -> dict[str, Any]:
    """SHA-256 and size of a file."""
    with path.open("rb") as source:
        return {"sha256": _digest_stream(source), "bytes": path.stat().st_size}


def _digest_stream(source: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := source.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()
