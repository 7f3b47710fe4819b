"""SQLite repository of target accounts."""

from __future__ import annotations

import sqlite3

from drorch.adapters.storage.sqlite.documents import check_version, delete_one, load_one
from drorch.domain.accounts import TargetAccount
from drorch.errors import ConflictError

NOUN = "target account"


class SqliteAccounts:
    """Target accounts as JSON documents keyed by account id."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def add(self, account: TargetAccount) -> None:
        """Insert a new account; 409 when the id is registered already."""
        try:
            self._conn.execute(
                "INSERT INTO target_accounts VALUES (?, ?, ?, ?, ?)",
                (
                    account.account_id,
                    account.name.lower(),
                    account.version,
                    account.created_at.isoformat(),
                    account.model_dump_json(),
                ),
            )
        except sqlite3.IntegrityError as exc:
            raise ConflictError(
                f"account {account.account_id} is registered already",
                conflicts=[{"field": "account_id", "value": account.account_id}],
            ) from exc

    def update(self, account: TargetAccount, *, expected_version: int) -> None:
        """Replace an account whose stored version is `expected_version`."""
        check_version(self._conn, "target_accounts", account.account_id, expected_version, NOUN)
        self._conn.execute(
            "UPDATE target_accounts SET name_lower=?, version=?, body=? WHERE id=? AND version=?",
            (
                account.name.lower(),
                account.version,
                account.model_dump_json(),
                account.account_id,
                expected_version,
            ),
        )

    def delete(self, account_id: str, *, expected_version: int | None) -> None:
        """Delete an account."""
        delete_one(self._conn, "target_accounts", account_id, expected_version, NOUN)

    def get(self, account_id: str) -> TargetAccount | None:
        """One account, or None."""
        return load_one(
            self._conn, "target_accounts", "id", account_id, TargetAccount.model_validate_json
        )

    def all(self) -> list[TargetAccount]:
        """Every account, by name."""
        rows = self._conn.execute("SELECT body FROM target_accounts ORDER BY name_lower, id")
        return [TargetAccount.model_validate_json(row["body"]) for row in rows]
