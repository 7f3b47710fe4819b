"""SQLite repositories of local users, their tokens and sign-in failure counters."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from drorch.adapters.storage.sqlite.documents import check_version
from drorch.domain.users import ApiToken, RefreshToken, User
from drorch.errors import ConflictError, NotFoundError


class SqliteUsers:
    """Users as JSON documents keyed by id, unique by username ignoring case."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def add(self, user: User, password_hash: str) -> None:
        """Insert a new user with its password hash."""
        try:
            self._conn.execute(
                "INSERT INTO users VALUES (?, ?, ?, ?, ?, ?)",
                (
                    user.id,
                    user.username,
                    user.username.lower(),
                    user.version,
                    password_hash,
                    user.model_dump_json(),
                ),
            )
        except sqlite3.IntegrityError as exc:
            raise ConflictError(
                f"a user named {user.username!r} already exists (names are case-insensitive)",
                conflicts=[{"field": "username", "value": user.username}],
            ) from exc

    def update(self, user: User, *, expected_version: int) -> None:
        """Replace a user whose stored version is `expected_version`."""
        check_version(self._conn, "users", user.id, expected_version, "user")
        self._conn.execute(
            "UPDATE users SET version = ?, body = ? WHERE id = ?",
            (user.version, user.model_dump_json(), user.id),
        )

    def get(self, user_id: str) -> User | None:
        """One user, or None."""
        row = self._conn.execute("SELECT body FROM users WHERE id = ?", (user_id,)).fetchone()
        return User.model_validate_json(row["body"]) if row else None

    def find_by_username(self, username: str) -> User | None:
        """The user with this name, ignoring case."""
        row = self._conn.execute(
            "SELECT body FROM users WHERE username_lower = ?", (username.lower(),)
        ).fetchone()
        return User.model_validate_json(row["body"]) if row else None

    def password_hash(self, user_id: str) -> str | None:
        """The stored password hash of a user."""
        row = self._conn.execute(
            "SELECT password_hash FROM users WHERE id = ?", (user_id,)
        ).fetchone()
        return str(row["password_hash"]) if row else None

    def set_password_hash(self, user_id: str, password_hash: str) -> None:
        """Replace a user's password hash."""
        cursor = self._conn.execute(
            "UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id)
        )
        if cursor.rowcount == 0:
            raise NotFoundError(f"user {user_id} does not exist")

    def all(self) -> list[User]:
        """Every user, by username."""
        rows = self._conn.execute("SELECT body FROM users ORDER BY username_lower")
        return [User.model_validate_json(row["body"]) for row in rows]

    def count(self) -> int:
        """How many users exist."""
        return int(self._conn.execute("SELECT COUNT(*) FROM users").fetchone()[0])


class SqliteTokens:
    """Refresh-token families and API tokens; secrets are only ever stored as hashes."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def add_refresh(self, token: RefreshToken, secret_hash: str) -> None:
        """Store a newly issued refresh token."""
        self._conn.execute(
            "INSERT INTO refresh_tokens VALUES (?, ?, ?, ?, ?, ?, NULL, NULL)",
            (
                token.id,
                token.family_id,
                token.user_id,
                secret_hash,
                token.issued_at.isoformat(),
                token.expires_at.isoformat(),
            ),
        )

    def get_refresh(self, token_id: str) -> tuple[RefreshToken, str] | None:
        """A refresh token and its secret hash, or None."""
        row = self._conn.execute(
            "SELECT * FROM refresh_tokens WHERE id = ?", (token_id,)
        ).fetchone()
        if row is None:
            return None
        token = RefreshToken(
            id=row["id"],
            family_id=row["family_id"],
            user_id=row["user_id"],
            issued_at=row["issued_at"],
            expires_at=row["expires_at"],
            used_at=row["used_at"],
            revoked_at=row["revoked_at"],
        )
        return token, str(row["secret_hash"])

    def mark_refresh_used(self, token_id: str, at: datetime) -> bool:
        """Mark a refresh token used; False when it was used already (a replay)."""
        cursor = self._conn.execute(
            "UPDATE refresh_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL",
            (at.isoformat(), token_id),
        )
        return cursor.rowcount == 1

    def revoke_family(self, family_id: str, at: datetime) -> int:
        """Revoke every token of a session family; returns how many were still live."""
        cursor = self._conn.execute(
            "UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL",
            (at.isoformat(), family_id),
        )
        return cursor.rowcount

    def family_active(self, family_id: str, now: datetime) -> bool:
        """Whether the session has an unrevoked token that has not expired."""
        row = self._conn.execute(
            "SELECT 1 FROM refresh_tokens WHERE family_id = ? AND revoked_at IS NULL "
            "AND expires_at > ? LIMIT 1",
            (family_id, now.isoformat()),
        ).fetchone()
        return row is not None

    def add_api_token(self, token: ApiToken, secret_hash: str) -> None:
        """Store a new API token."""
        self._conn.execute(
            "INSERT INTO api_tokens VALUES (?, ?, ?, ?, ?, NULL, ?)",
            (
                token.id,
                token.user_id,
                secret_hash,
                token.created_at.isoformat(),
                token.expires_at.isoformat(),
                token.model_dump_json(),
            ),
        )

    def get_api_token(self, token_id: str) -> tuple[ApiToken, str] | None:
        """An API token and its secret hash, or None."""
        row = self._conn.execute(
            "SELECT body, secret_hash FROM api_tokens WHERE id = ?", (token_id,)
        ).fetchone()
        if row is None:
            return None
        return ApiToken.model_validate_json(row["body"]), str(row["secret_hash"])

    def api_tokens(self, user_id: str | None = None) -> list[ApiToken]:
        """API tokens (one user's, or everyone's), newest first."""
        sql = "SELECT body FROM api_tokens"
        params: tuple[str, ...] = ()
        if user_id is not None:
            sql, params = sql + " WHERE user_id = ?", (user_id,)
        rows = self._conn.execute(sql + " ORDER BY created_at DESC, id DESC", params)
        return [ApiToken.model_validate_json(row["body"]) for row in rows]

    def revoke_api_token(self, token_id: str, at: datetime) -> bool:
        """Revoke an API token; False when it was unknown or revoked already."""
        found = self.get_api_token(token_id)
        if found is None or found[0].revoked_at is not None:
            return False
        revoked = found[0].model_copy(update={"revoked_at": at})
        self._conn.execute(
            "UPDATE api_tokens SET revoked_at = ?, body = ? WHERE id = ?",
            (at.isoformat(), revoked.model_dump_json(), token_id),
        )
        return True


class SqliteSignIns:
    """Sign-in failure counters with a sliding start: a window opens at its first failure."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def locked_until(self, key: str, now: datetime) -> datetime | None:
        """When the key's lock ends, or None when it is not locked at `now`."""
        row = self._conn.execute(
            "SELECT locked_until FROM sign_in_failures WHERE key = ?", (key,)
        ).fetchone()
        if row is None or row["locked_until"] is None:
            return None
        until = datetime.fromisoformat(row["locked_until"])
        return until if until > now else None

    def record_failure(
        self, key: str, *, now: datetime, window: timedelta, max_failures: int
    ) -> datetime | None:
        """Count a failure; returns the lock's end when this failure locks the key."""
        row = self._conn.execute(
            "SELECT failures, first_at FROM sign_in_failures WHERE key = ?", (key,)
        ).fetchone()
        failures, first = 1, now
        if row is not None and datetime.fromisoformat(row["first_at"]) + window > now:
            failures, first = row["failures"] + 1, datetime.fromisoformat(row["first_at"])
        locked = now + window if failures >= max_failures else None
        self._conn.execute(
            "INSERT OR REPLACE INTO sign_in_failures VALUES (?, ?, ?, ?)",
            (key, failures, first.isoformat(), locked.isoformat() if locked else None),
        )
        return locked

    def clear(self, key: str) -> None:
        """Forget a key's failures (after a successful sign-in)."""
        self._conn.execute("DELETE FROM sign_in_failures WHERE key = ?", (key,))
