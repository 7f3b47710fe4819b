"""`drorch backup` and `drorch restore` on data dirs: the manifest, and every refusal."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from drorch import __version__
from drorch.adapters.storage.sqlite.database import latest_version
from drorch.cli.main import app
from drorch.domain.identity import Role
from tests.support.server import db_path, ensure_user, open_store, running_server


def drorch(*args: str, input: str | None = None) -> tuple[int, str, str]:
    """Run one `drorch` command in-process: exit code, stdout, stderr."""
    result = CliRunner().invoke(app, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A data dir with a user in it, made as an operator would (so it has its key files)."""
    data_dir = tmp_path / "source"
    add = ["users", "add", "alice", "--role", "operator", "--password-stdin"]
    code, _, err = drorch(*add, "--data-dir", str(data_dir), input="a-long-password-1\n")
    assert code == 0, err
    return data_dir


@pytest.fixture
def archive(tmp_path: Path, source: Path) -> Path:
    """A backup of `source`."""
    path = tmp_path / "backup.tar.gz"
    code, _, err = drorch("backup", "--to", str(path), "--data-dir", str(source))
    assert code == 0, err
    return path


def members(path: Path) -> dict[str, bytes]:
    """Every file of an archive by name."""
    with tarfile.open(path, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]


def rewrite(path: Path, change: Callable[[dict[str, bytes]], None]) -> Path:
    """A copy of the archive with `change` applied to its members."""
    files = members(path)
    change(files)
    out = path.with_name(f"changed-{path.name}")
    with tarfile.open(out, "w:gz") as tar:
        for name, body in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return out


def test_the_manifest_names_version_schema_counts_and_checksums(
    source: Path, archive: Path
) -> None:
    files = members(archive)
    manifest = json.loads(files["manifest.json"])
    assert manifest["drorch_version"] == __version__
    assert manifest["schema_version"] == latest_version()
    assert manifest["tables"]["users"] == 1
    assert manifest["created_at"].startswith("20")
    for name in ("drorch.db", "cursor.key"):
        assert manifest["files"][name]["sha256"] == hashlib.sha256(files[name]).hexdigest()
    assert files["cursor.key"] == (source / "cursor.key").read_bytes()
    assert archive.stat().st_mode & 0o077 == 0  # it carries the keys: owner only


def test_restore_into_a_fresh_data_dir_brings_back_rows_and_keys(
    tmp_path: Path, source: Path, archive: Path
) -> None:
    target = tmp_path / "target"
    code, _, err = drorch("restore", str(archive), "--data-dir", str(target))
    assert code == 0, err
    assert (target / "cursor.key").read_bytes() == (source / "cursor.key").read_bytes()
    store = open_store(target)
    try:
        with store.read() as uow:
            assert uow.users.find_by_username("alice") is not None
    finally:
        store.close()
    assert not list(target.glob(".*restore-*"))  # no drafts left behind


def test_a_corrupted_database_fails_its_checksum_and_writes_nothing(
    tmp_path: Path, archive: Path
) -> None:
    def flip(files: dict[str, bytes]) -> None:
        body = bytearray(files["drorch.db"])
        body[len(body) // 2] ^= 0xFF
        files["drorch.db"] = bytes(body)

    target = tmp_path / "target"
    code, _, err = drorch("restore", str(rewrite(archive, flip)), "--data-dir", str(target))
    assert code == 1
    assert "checksum mismatch for drorch.db" in err
    assert len(err.strip().splitlines()) == 1
    assert not target.exists()


def test_a_truncated_file_is_refused_in_one_line(tmp_path: Path, archive: Path) -> None:
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(archive.read_bytes()[:-300])
    target = tmp_path / "target"
    code, _, err = drorch("restore", str(broken), "--data-dir", str(target))
    assert code == 1
    assert "is not a readable drorch backup" in err
    assert len(err.strip().splitlines()) == 1
    assert not target.exists()


def test_a_newer_schema_is_refused(tmp_path: Path, archive: Path) -> None:
    def newer(files: dict[str, bytes]) -> None:
        manifest = json.loads(files["manifest.json"])
        manifest["schema_version"] = latest_version() + 1
        files["manifest.json"] = json.dumps(manifest).encode()

    target = tmp_path / "target"
    code, _, err = drorch("restore", str(rewrite(archive, newer)), "--data-dir", str(target))
    assert code == 1
    assert f"newer than this drorch knows ({latest_version()})" in err
    assert not target.exists()


def test_an_existing_database_is_kept_unless_forced(tmp_path: Path, archive: Path) -> None:
    target = tmp_path / "target"
    ensure_user(target, "bob", Role.VIEWER)
    before = db_path(target).read_bytes()
    code, _, err = drorch("restore", str(archive), "--data-dir", str(target))
    assert code == 1
    assert "already exists; pass --force" in err
    assert db_path(target).read_bytes() == before
    code, _, err = drorch("restore", str(archive), "--data-dir", str(target), "--force")
    assert code == 0, err
    store = open_store(target)
    try:
        with store.read() as uow:
            assert uow.users.find_by_username("alice") is not None
            assert uow.users.find_by_username("bob") is None
    finally:
        store.close()


def test_a_running_server_on_the_data_dir_refuses_the_restore(
    tmp_path: Path, archive: Path
) -> None:
    target = tmp_path / "served"
    with running_server(target) as server:
        code, _, err = drorch("restore", str(archive), "--data-dir", str(target))
        store = server.store()
        try:
            with store.read() as uow:
                assert uow.users.find_by_username("alice") is None  # nothing restored
        finally:
            store.close()
    assert code == 1
    assert "a drorch server or worker is running on" in err


def test_a_missing_source_database_is_one_line(tmp_path: Path) -> None:
    out = tmp_path / "none.tar.gz"
    code, _, err = drorch("backup", "--to", str(out), "--data-dir", str(tmp_path / "empty"))
    assert code == 1
    assert "no database at" in err
    assert not out.exists()


def test_a_different_key_in_the_target_is_kept_unless_forced(
    tmp_path: Path, source: Path, archive: Path
) -> None:
    target = tmp_path / "target"
    target.mkdir()
    (target / "jwt.key").write_bytes(b"k" * 32)
    (source / "jwt.key").write_bytes(b"s" * 32)
    with_jwt = tmp_path / "with-jwt.tar.gz"
    assert drorch("backup", "--to", str(with_jwt), "--data-dir", str(source))[0] == 0
    code, _, err = drorch("restore", str(with_jwt), "--data-dir", str(target))
    assert code == 1
    assert "jwt.key differs from the backup's" in err
    assert (target / "jwt.key").read_bytes() == b"k" * 32
    assert not db_path(target).exists()
    assert drorch("restore", str(with_jwt), "--data-dir", str(target), "--force")[0] == 0
    assert (target / "jwt.key").read_bytes() == b"s" * 32
