"""The tokens `drorch login` keeps, one session per API URL, in a 0600 file of the user's."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from drorch.cli.output import EXIT_USAGE, CliError

FORMAT_VERSION = 1
# Refresh a little before the access token's end, so a request never races its expiry.
EXPIRY_MARGIN_SECONDS = 30.0


@dataclass(frozen=True)
class StoredSession:
    """One signed-in session against one API."""

    api_url: str
    username: str
    access_token: str
    access_expires_at: float
    refresh_token: str
    refresh_expires_at: float

    def access_fresh(self, now: float) -> bool:
        """Whether the access token is still good for a while."""
        return now < self.access_expires_at - EXPIRY_MARGIN_SECONDS

    @classmethod
    def from_token_reply(cls, api_url: str, reply: Mapping[str, Any], now: float) -> StoredSession:
        """A session from the API's TokenRead answer (sign-in or refresh)."""
        user = reply.get("user") or {}
        return cls(
            api_url=normal_url(api_url),
            username=str(user.get("username") or ""),
            access_token=str(reply["access_token"]),
            access_expires_at=now + float(reply["expires_in"]),
            refresh_token=str(reply["refresh_token"]),
            refresh_expires_at=now + float(reply["refresh_expires_in"]),
        )


def normal_url(api_url: str) -> str:
    """The key a session is stored under: the base URL without a trailing slash."""
    return api_url.rstrip("/")


class CredentialStore:
    """Reads and writes the credentials file; every write leaves it 0600."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def get(self, api_url: str) -> StoredSession | None:
        """The session stored for `api_url`, if any."""
        entry = self._read().get(normal_url(api_url))
        if not isinstance(entry, dict):
            return None
        try:
            return StoredSession(**entry)
        except TypeError:
            return None  # written by another version: as good as signed out

    def put(self, session: StoredSession) -> None:
        """Store (or replace) the session of its API URL."""
        sessions = self._read()
        sessions[session.api_url] = asdict(session)
        self._write(sessions)

    def remove(self, api_url: str) -> bool:
        """Forget the session of `api_url`; whether there was one."""
        sessions = self._read()
        if sessions.pop(normal_url(api_url), None) is None:
            return False
        self._write(sessions)
        return True

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold an exclusive lock, so two commands never spend the same refresh token."""
        # A refresh token works once (reuse revokes the session), so refreshes are serial.
        self._ensure_dir()
        fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _read(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise self._broken(exc.strerror or str(exc)) from None
        try:
            data = json.loads(text)
        except ValueError:
            raise self._broken("not JSON") from None
        sessions = data.get("sessions") if isinstance(data, dict) else None
        return dict(sessions) if isinstance(sessions, dict) else {}

    def _write(self, sessions: dict[str, Any]) -> None:
        # Write a private temp file and rename it: never a moment with a readable or torn file.
        self._ensure_dir()
        temp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            os.fchmod(out.fileno(), 0o600)  # whatever the umask or an older file said
            json.dump({"version": FORMAT_VERSION, "sessions": sessions}, out, indent=2)
        os.replace(temp, self.path)

    def _ensure_dir(self) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)

    def _broken(self, reason: str) -> CliError:
        return CliError(
            f"cannot read the credentials file {self.path} ({reason}): delete it and run "
            "`drorch login` again",
            EXIT_USAGE,
        )
