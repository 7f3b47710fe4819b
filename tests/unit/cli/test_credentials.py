"""The credentials file of `drorch login`: private, per API URL, rewritten whole."""

from __future__ import annotations

import json
import os
import stat
import threading
import time
from pathlib import Path

import pytest

from drorch.cli.credentials import CredentialStore, StoredSession
from drorch.cli.output import CliError
from drorch.config import Settings

REPLY = {
    "access_token": "eyJ.access",
    "token_type": "bearer",
    "expires_in": 900,
    "refresh_token": "drr_1.secret",
    "refresh_expires_in": 43200,
    "user": {"username": "alice", "role": "operator"},
}


def session(url: str = "http://127.0.0.1:8080", now: float = 1000.0) -> StoredSession:
    """A session as a sign-in at `now` would store it."""
    return StoredSession.from_token_reply(url, REPLY, now)


def mode(path: Path) -> int:
    """The permission bits of a file or folder."""
    return stat.S_IMODE(path.stat().st_mode)


def test_a_token_reply_becomes_a_session_with_absolute_expiries() -> None:
    stored = session("http://127.0.0.1:8080/", now=1000.0)

    assert stored.api_url == "http://127.0.0.1:8080"
    assert (stored.username, stored.access_expires_at, stored.refresh_expires_at) == (
        "alice",
        1900.0,
        44200.0,
    )
    assert stored.access_fresh(1000.0 + 860) and not stored.access_fresh(1000.0 + 880)


def test_the_file_and_its_folder_are_private_even_with_a_permissive_umask(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path / "cfg" / "drorch" / "credentials.json")
    old = os.umask(0)
    try:
        store.put(session())
    finally:
        os.umask(old)

    assert mode(store.path) == 0o600
    assert mode(store.path.parent) == 0o700


def test_a_file_someone_widened_is_private_again_after_the_next_write(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path / "credentials.json")
    store.put(session())
    store.path.chmod(0o644)

    store.put(session("http://other:1"))

    assert mode(store.path) == 0o600


def test_sessions_are_kept_per_api_url(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path / "credentials.json")
    store.put(session("http://a:1"))
    store.put(session("http://b:2", now=5.0))

    assert store.get("http://a:1/") == session("http://a:1")
    assert store.get("http://b:2") == session("http://b:2", now=5.0)
    assert store.remove("http://a:1") is True
    assert store.get("http://a:1") is None and store.get("http://b:2") is not None
    assert store.remove("http://a:1") is False
    assert set(json.loads(store.path.read_text())["sessions"]) == {"http://b:2"}


def test_no_file_means_not_signed_in(tmp_path: Path) -> None:
    assert CredentialStore(tmp_path / "missing.json").get("http://a:1") is None


def test_a_corrupt_file_is_one_usage_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    path.write_text("{not json")

    with pytest.raises(CliError) as caught:
        CredentialStore(path).get("http://a:1")

    assert caught.value.exit_code == 2
    assert str(path) in caught.value.message and "delete it" in caught.value.message


def test_an_entry_of_another_shape_counts_as_signed_out(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    path.write_text(json.dumps({"version": 9, "sessions": {"http://a:1": {"token": "x"}}}))

    assert CredentialStore(path).get("http://a:1") is None


def test_the_lock_lets_one_holder_in_at_a_time(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path / "credentials.json")
    order: list[str] = []
    entered = threading.Event()

    def second() -> None:
        entered.wait(5)
        with store.locked():
            order.append("second")

    thread = threading.Thread(target=second)
    thread.start()
    with store.locked():
        entered.set()
        time.sleep(0.2)  # the other thread is now waiting on the lock, not inside it
        order.append("first")
    thread.join(5)

    assert order == ["first", "second"]


def test_settings_place_the_file_in_config_dir_else_the_xdg_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DRORCH_CONFIG_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert Settings().credentials_path == tmp_path / "xdg" / "drorch" / "credentials.json"

    monkeypatch.setenv("XDG_CONFIG_HOME", "")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert Settings().credentials_path == tmp_path / "home/.config/drorch/credentials.json"

    monkeypatch.setenv("DRORCH_CONFIG_DIR", str(tmp_path / "mine"))
    assert Settings().credentials_path == tmp_path / "mine" / "credentials.json"
