"""DynamoDB repositories of users, tokens, sign-in counters, the audit log and accounts."""

from __future__ import annotations

from datetime import datetime, timedelta

from drorch.adapters.storage.dynamodb.common import (
    Documents,
    next_seq,
    pad,
    parse_all,
)
from drorch.adapters.storage.dynamodb.table import Item, Table
from drorch.adapters.storage.dynamodb.unit import Unit
from drorch.adapters.storage.paging import Cursors, check_limit
from drorch.domain.accounts import TargetAccount
from drorch.domain.audit import AuditRecord
from drorch.domain.users import ApiToken, RefreshToken, User
from drorch.errors import ConflictError, NotFoundError, PreconditionFailedError
from drorch.ports.store import AuditQuery, Page

USERS, API_TOKENS, AUDIT, ACCOUNTS = "user", "tok", "audit", "acct"
AUDIT_SORT = "-seq"
EPOCH_KEY = ("epoch", "identity")  # its `n` moves with every change that can narrow access


def bump_epoch(unit: Unit) -> None:
    """Move the identity epoch in the unit's commit (an atomic ADD, as SQLite's triggers do)."""
    unit.add_to(*EPOCH_KEY, "n")


def read_epoch(table: Table) -> int:
    """The identity epoch (0 before the first change)."""
    item = table.get(*EPOCH_KEY)
    return int(item["n"]) if item else 0


class DynamoUsers:
    """Users as documents keyed by id, unique by username ignoring case."""

    def __init__(self, unit: Unit) -> None:
        self._unit = unit
        self._docs = Documents(unit, USERS, "user")

    def add(self, user: User, password_hash: str) -> None:
        """Insert a new user with its password hash."""
        if self._docs.by_name(user.username) is not None:
            raise ConflictError(
                f"a user named {user.username!r} already exists (names are case-insensitive)",
                conflicts=[{"field": "username", "value": user.username}],
            )
        self._docs.add(
            user.id, user.model_dump_json(), user.version, user.username, hash=password_hash
        )

    def update(self, user: User, *, expected_version: int) -> None:
        """Replace a user whose stored version is `expected_version`."""
        old = self._docs.check(user.id, expected_version)
        body = user.model_dump_json()
        self._unit.put({**old, "version": user.version, "body": body})
        bump_epoch(self._unit)
        # Two sign-ins of one user (each keeps the version) race on the item's revision:
        # the loser reads it again and, while the version is still the one it checked, retries.
        self._unit.retry_with(
            (USERS, user.id),
            lambda: self._reput(user.id, expected_version, body=body, version=user.version),
        )

    def _reput(self, user_id: str, expected: int | None, **changes: object) -> None:
        """Apply `changes` to the user as stored now (still at `expected`, when given)."""
        fresh = self._unit.table.get(USERS, user_id)
        if fresh is None:
            raise NotFoundError(f"user {user_id} does not exist")
        if expected is not None and fresh["version"] != expected:
            raise PreconditionFailedError(
                f"user {user_id} is at version {fresh['version']}, not {expected}; "
                "read it again and retry",
                current_version=fresh["version"],
            )
        self._unit.rebase((USERS, user_id), fresh["rev"])
        self._unit.put({**fresh, **changes})

    def get(self, user_id: str) -> User | None:
        """One user, or None."""
        item = self._docs.get(user_id)
        return User.model_validate_json(item["body"]) if item else None

    def find_by_username(self, username: str) -> User | None:
        """The user with this name, ignoring case."""
        item = self._docs.by_name(username)
        return User.model_validate_json(item["body"]) if item else None

    def password_hash(self, user_id: str) -> str | None:
        """The stored password hash of a user."""
        item = self._docs.get(user_id)
        return str(item["hash"]) if item else None

    def set_password_hash(self, user_id: str, password_hash: str) -> None:
        """Replace a user's password hash."""
        item = self._docs.get(user_id)
        if item is None:
            raise NotFoundError(f"user {user_id} does not exist")
        self._unit.put({**item, "hash": password_hash})
        bump_epoch(self._unit)
        # A password change applies whatever else moved the user meanwhile (as on SQLite).
        self._unit.retry_with(
            (USERS, user_id), lambda: self._reput(user_id, None, hash=password_hash)
        )

    def all(self) -> list[User]:
        """Every user, by username."""
        users = parse_all(self._docs.all(), User.model_validate_json)
        return sorted(users, key=lambda u: u.username.lower())

    def count(self) -> int:
        """How many users exist."""
        return len(self._docs.all())


class DynamoTokens:
    """Refresh tokens partitioned by family (plus an id pointer) and API tokens."""

    def __init__(self, unit: Unit) -> None:
        self._unit = unit

    def add_refresh(self, token: RefreshToken, secret_hash: str) -> None:
        """Store a newly issued refresh token."""
        body = token.model_dump_json()
        item = {"pk": f"rtfam#{token.family_id}", "sk": token.id, "body": body, "hash": secret_hash}
        self._unit.put(item, new=True)
        self._unit.put({"pk": f"rt#{token.id}", "sk": "-", "family": token.family_id}, new=True)

    def _refresh_item(self, token_id: str) -> Item | None:
        pointer = self._unit.get(f"rt#{token_id}", "-")
        return self._unit.get(f"rtfam#{pointer['family']}", token_id) if pointer else None

    def get_refresh(self, token_id: str) -> tuple[RefreshToken, str] | None:
        """A refresh token and its secret hash, or None."""
        item = self._refresh_item(token_id)
        return (RefreshToken.model_validate_json(item["body"]), item["hash"]) if item else None

    def mark_refresh_used(self, token_id: str, at: datetime) -> bool:
        """Mark a refresh token used; False when it was used already (a replay)."""
        item = self._refresh_item(token_id)
        if item is None:
            return False
        token = RefreshToken.model_validate_json(item["body"])
        if token.used_at is not None:
            return False
        used = token.model_copy(update={"used_at": at})
        # Written at once, conditioned on the read: of two refreshes with one token, the
        # second is told False (a replay), as SQLite's writer lock would have it.
        try:
            self._unit.put_now({**item, "body": used.model_dump_json()})
        except ConflictError:
            return False
        bump_epoch(self._unit)
        return True

    def revoke_family(self, family_id: str, at: datetime) -> int:
        """Revoke every token of a session family; returns how many were still live."""
        count = 0
        for item in self._unit.query(f"rtfam#{family_id}"):
            token = RefreshToken.model_validate_json(item["body"])
            if token.revoked_at is None:
                revoked = token.model_copy(update={"revoked_at": at})
                self._unit.put({**item, "body": revoked.model_dump_json()})
                count += 1
        if count:
            bump_epoch(self._unit)
        return count

    def family_active(self, family_id: str, now: datetime) -> bool:
        """Whether the session has an unrevoked token that has not expired."""
        tokens = parse_all(self._unit.query(f"rtfam#{family_id}"), RefreshToken.model_validate_json)
        return any(t.revoked_at is None and t.expires_at > now for t in tokens)

    def add_api_token(self, token: ApiToken, secret_hash: str) -> None:
        """Store a new API token."""
        item = {"pk": API_TOKENS, "sk": token.id, "body": token.model_dump_json()}
        self._unit.put({**item, "hash": secret_hash, "user": token.user_id}, new=True)

    def get_api_token(self, token_id: str) -> tuple[ApiToken, str] | None:
        """An API token and its secret hash, or None."""
        item = self._unit.get(API_TOKENS, token_id)
        return (ApiToken.model_validate_json(item["body"]), item["hash"]) if item else None

    def api_tokens(self, user_id: str | None = None) -> list[ApiToken]:
        """API tokens (one user's, or everyone's), newest first."""
        items = [i for i in self._unit.query(API_TOKENS) if user_id is None or i["user"] == user_id]
        tokens = parse_all(items, ApiToken.model_validate_json)
        return sorted(tokens, key=lambda t: (t.created_at, t.id), reverse=True)

    def revoke_api_token(self, token_id: str, at: datetime) -> bool:
        """Revoke an API token; False when it was unknown or revoked already."""
        item = self._unit.get(API_TOKENS, token_id)
        if item is None:
            return False
        token = ApiToken.model_validate_json(item["body"])
        if token.revoked_at is not None:
            return False
        revoked = token.model_copy(update={"revoked_at": at})
        self._unit.put({**item, "body": revoked.model_dump_json()})
        bump_epoch(self._unit)
        return True


class DynamoSignIns:
    """Sign-in failure counters, one item per key."""

    def __init__(self, unit: Unit) -> None:
        self._unit = unit

    def locked_until(self, key: str, now: datetime) -> datetime | None:
        """When the key's lock ends, or None when it is not locked at `now`."""
        item = self._unit.get(f"signin#{key}", "-")
        if item is None or item.get("locked") is None:
            return None
        until = datetime.fromisoformat(item["locked"])
        return until if until > now else None

    def record_failure(
        self, key: str, *, now: datetime, window: timedelta, max_failures: int
    ) -> datetime | None:
        """Count a failure; returns the lock's end when this failure locks the key.

        Written at once, conditioned on the count read: two failures at the same moment
        both count (the loser reads again and retries once), as they do on SQLite.
        """
        try:
            return self._count_failure(key, now, window, max_failures)
        except ConflictError:
            self._unit.forget((f"signin#{key}", "-"))
            return self._count_failure(key, now, window, max_failures)

    def _count_failure(
        self, key: str, now: datetime, window: timedelta, max_failures: int
    ) -> datetime | None:
        item = self._unit.get(f"signin#{key}", "-")
        failures, first = 1, now
        if item is not None and datetime.fromisoformat(item["first"]) + window > now:
            failures, first = item["failures"] + 1, datetime.fromisoformat(item["first"])
        locked = now + window if failures >= max_failures else None
        self._unit.put_now(
            {
                "pk": f"signin#{key}",
                "sk": "-",
                "failures": failures,
                "first": first.isoformat(),
                "locked": locked.isoformat() if locked else None,
            }
        )
        return locked

    def clear(self, key: str) -> None:
        """Forget a key's failures (after a successful sign-in)."""
        self._unit.delete(f"signin#{key}", "-")


class DynamoAudit:
    """The append-only audit log: one partition, newest first by sequence number."""

    def __init__(self, unit: Unit, cursors: Cursors) -> None:
        self._unit = unit
        self._cursors = cursors

    def append(self, record: AuditRecord) -> AuditRecord:
        """Add a record; returns it with the sequence number it was given."""
        seq = next_seq(self._unit, AUDIT)
        stored = record.model_copy(update={"seq": seq})
        self._unit.put({"pk": AUDIT, "sk": pad(seq), "body": stored.model_dump_json()}, new=True)
        return stored

    def page(self, query: AuditQuery) -> Page[AuditRecord]:
        """A filtered page of records, newest first."""
        limit = check_limit(query.limit)
        start = None
        if query.cursor:
            seq, _ = self._cursors.decode(query.cursor, AUDIT_SORT, int)
            start = {"pk": AUDIT, "sk": pad(int(seq))}
        items, last = self._unit.page(
            AUDIT,
            index=None,
            forward=False,
            limit=limit,
            start=start,
            select=lambda found: [i for i in found if _matches(_record(i), query)],
        )
        records = [_record(i) for i in items]
        cursor = None
        if last is not None:
            cursor = self._cursors.encode(AUDIT_SORT, records[-1].seq, records[-1].id)
        return Page(items=records, next_cursor=cursor)


def _record(item: Item) -> AuditRecord:
    return AuditRecord.model_validate_json(item["body"])


def _matches(record: AuditRecord, query: AuditQuery) -> bool:
    for name in ("action", "target_type", "target_id"):
        wanted = getattr(query, name)
        if wanted is not None and getattr(record, name) != wanted:
            return False
    if query.outcome is not None and record.outcome.value != query.outcome:
        return False
    if query.principal is not None and query.principal not in (record.principal, record.username):
        return False
    if query.since is not None and record.at < query.since:
        return False
    return query.until is None or record.at < query.until


class DynamoAccounts:
    """Target accounts as documents keyed by account id."""

    def __init__(self, unit: Unit) -> None:
        self._unit = unit
        self._docs = Documents(unit, ACCOUNTS, "target account")

    def add(self, account: TargetAccount) -> None:
        """Insert a new account; 409 when the id is registered already."""
        if self._docs.get(account.account_id) is not None:
            raise ConflictError(
                f"account {account.account_id} is registered already",
                conflicts=[{"field": "account_id", "value": account.account_id}],
            )
        body = account.model_dump_json()
        self._docs.add(account.account_id, body, account.version, None, label=account.name.lower())

    def update(self, account: TargetAccount, *, expected_version: int) -> None:
        """Replace an account whose stored version is `expected_version`."""
        body = account.model_dump_json()
        self._docs.update(
            account.account_id,
            body,
            account.version,
            expected_version,
            None,
            label=account.name.lower(),
        )

    def delete(self, account_id: str, *, expected_version: int | None) -> None:
        """Delete an account."""
        self._docs.delete(account_id, expected_version)

    def get(self, account_id: str) -> TargetAccount | None:
        """One account, or None."""
        item = self._docs.get(account_id)
        return TargetAccount.model_validate_json(item["body"]) if item else None

    def all(self) -> list[TargetAccount]:
        """Every account, by name."""
        items = sorted(self._docs.all(), key=lambda i: (i["label"], i["sk"]))
        return parse_all(items, TargetAccount.model_validate_json)
