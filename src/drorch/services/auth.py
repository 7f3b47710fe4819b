"""Sign-in, refresh, logout and API tokens of local users."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil

from drorch.domain.audit import Outcome
from drorch.domain.common import utcnow
from drorch.domain.identity import Permission, Principal, Role, role_within
from drorch.domain.tokens import (
    API_TOKEN_PREFIX,
    REFRESH_PREFIX,
    hash_secret,
    new_opaque,
    parse_opaque,
    secret_matches,
)
from drorch.domain.users import ApiToken, RefreshToken, User, principal_of
from drorch.errors import ForbiddenError, NotFoundError, TooManyRequestsError, UnauthenticatedError
from drorch.ports.identity import AccessTokenSigner, PasswordHasher
from drorch.ports.store import Store, UnitOfWork
from drorch.services.audit import AuditContext, record

log = logging.getLogger("drorch.auth")
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 365


@dataclass(frozen=True)
class SignInPolicy:
    """How long sessions last and when repeated failures lock sign-in."""

    refresh_lifetime: timedelta = timedelta(hours=12)
    max_failures: int = 5
    lock_window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class LocalAuth:
    """What local sign-in needs: the hasher, the access-token signer and the policy."""

    passwords: PasswordHasher
    signer: AccessTokenSigner
    policy: SignInPolicy = SignInPolicy()


@dataclass(frozen=True)
class Session:
    """A signed-in session: the tokens to hand out and whom they belong to."""

    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int
    user: User
    principal: Principal


def sign_in(
    *, store: Store, auth: LocalAuth, audit: AuditContext, username: str, password: str
) -> Session:
    """Check a password; 401 when wrong, 429 while the username or the client is locked.

    Failures are counted per username and per client address and audited in a
    transaction of their own; a success clears the username's count.
    """
    now = utcnow()
    keys = [f"user:{username.lower()}", f"client:{audit.client or 'unknown'}"]
    with store.read() as uow:
        locks = [u for k in keys if (u := uow.sign_ins.locked_until(k, now))]
        user = uow.users.find_by_username(username)
        stored = uow.users.password_hash(user.id) if user else None
    if locks:
        _failed(store, auth, audit, username, keys, "locked", count=False)
        raise _locked(max(locks))
    matches = auth.passwords.verify(stored or auth.passwords.dummy_hash, password)
    if user is None or not matches or not user.enabled:
        reason = "disabled" if user is not None and matches else "bad credentials"
        locked = _failed(store, auth, audit, username, keys, reason, count=True)
        if locked:
            raise _locked(locked)
        raise UnauthenticatedError("the username or password is wrong, or the user is disabled")
    return _start_session(store, auth, audit, user, keys[0], now)


def _failed(
    store: Store,
    auth: LocalAuth,
    audit: AuditContext,
    username: str,
    keys: list[str],
    reason: str,
    *,
    count: bool,
) -> datetime | None:
    """Count (when asked) and audit one failed sign-in; returns the lock's end if it locks."""
    now = utcnow()
    policy = auth.policy
    # The name asked for and the address, never the password.
    log.warning("sign-in refused for %r from %s: %s", username, audit.client, reason)
    with store.transaction() as uow:
        locks = [
            uow.sign_ins.record_failure(
                k, now=now, window=policy.lock_window, max_failures=policy.max_failures
            )
            for k in (keys if count else [])
        ]
        locked = max((lock for lock in locks if lock), default=None)
        detail = {"reason": "locked" if locked else reason}
        record(
            uow,
            "auth.sign_in_failed",
            "user",
            None,
            audit=audit,
            outcome=Outcome.DENIED,
            status=429 if locked or not count else 401,
            detail=detail,
            username=username,
        )
    return locked


def _locked(until: datetime) -> TooManyRequestsError:
    seconds = max(1, ceil((until - utcnow()).total_seconds()))
    return TooManyRequestsError(
        f"too many failed sign-ins; try again in {seconds} s", retry_after=seconds
    )


def _start_session(
    store: Store, auth: LocalAuth, audit: AuditContext, user: User, key: str, now: datetime
) -> Session:
    """Open a new refresh-token family for a user who proved who they are."""
    text, parts = new_opaque(REFRESH_PREFIX, "rt")
    token = _refresh_record(parts.token_id, parts.token_id, user.id, now, auth.policy)
    signed_in = user.model_copy(update={"last_sign_in_at": now})
    principal = principal_of(signed_in, token.family_id)
    with store.transaction() as uow:
        uow.sign_ins.clear(key)
        # The version stays: a sign-in must not make an admin's edit of the user stale.
        uow.users.update(signed_in, expected_version=user.version)
        uow.tokens.add_refresh(token, hash_secret(parts.secret))
        record(uow, "auth.sign_in", "user", user.id, audit=_as(audit, principal))
    return _session(auth, signed_in, principal, text, now)


def refresh(*, store: Store, auth: LocalAuth, audit: AuditContext, refresh_token: str) -> Session:
    """Swap a refresh token for a new pair; a token used twice revokes its whole family."""
    now = utcnow()
    parts = parse_opaque(refresh_token, REFRESH_PREFIX)
    if parts is None:
        raise UnauthenticatedError("the refresh token is not valid")
    with store.transaction() as uow:
        verdict = _check_refresh(uow, parts.token_id, parts.secret, now, audit)
        if isinstance(verdict, str):
            failure = verdict
        else:
            text, principal, user = _rotate(uow, auth, verdict, now, audit)
            failure = ""
    if failure:
        # Raised after the block, so the family's revocation and its record are kept.
        raise UnauthenticatedError(failure)
    return _session(auth, user, principal, text, now)


def _check_refresh(
    uow: UnitOfWork, token_id: str, secret: str, now: datetime, audit: AuditContext
) -> RefreshToken | str:
    """The token when it may be used now, else why not (revoking its family on a replay)."""
    found = uow.tokens.get_refresh(token_id)
    if found is None or not secret_matches(secret, found[1]):
        return "the refresh token is not valid"
    token = found[0]
    if token.revoked_at is not None or token.expires_at <= now:
        return "the session has ended; sign in again"
    if token.used_at is not None or not uow.tokens.mark_refresh_used(token.id, now):
        uow.tokens.revoke_family(token.family_id, now)
        record(
            uow,
            "auth.refresh_reused",
            "session",
            token.family_id,
            audit=audit,
            outcome=Outcome.DENIED,
            status=401,
            detail={"user_id": token.user_id},
        )
        return "the refresh token was already used; the session is revoked, sign in again"
    user = uow.users.get(token.user_id)
    if user is None or not user.enabled:
        return "the user is unknown or disabled"
    return token


def _rotate(
    uow: UnitOfWork, auth: LocalAuth, old: RefreshToken, now: datetime, audit: AuditContext
) -> tuple[str, Principal, User]:
    """Issue the family's next refresh token."""
    user = uow.users.get(old.user_id)
    assert user is not None  # checked by _check_refresh in the same transaction
    text, parts = new_opaque(REFRESH_PREFIX, "rt")
    token = _refresh_record(parts.token_id, old.family_id, user.id, now, auth.policy)
    uow.tokens.add_refresh(token, hash_secret(parts.secret))
    principal = principal_of(user, old.family_id)
    record(uow, "auth.refresh", "session", old.family_id, audit=_as(audit, principal))
    return text, principal, user


def logout(
    *, store: Store, audit: AuditContext, principal: Principal, refresh_token: str | None = None
) -> None:
    """End the caller's session (and the one a given refresh token belongs to)."""
    now = utcnow()
    with store.transaction() as uow:
        families = {principal.session_id} - {None}
        parts = parse_opaque(refresh_token or "", REFRESH_PREFIX)
        found = uow.tokens.get_refresh(parts.token_id) if parts else None
        # Only a token of the caller's own, presented whole, ends another session.
        if found and parts and secret_matches(parts.secret, found[1]):
            families |= {found[0].family_id} if found[0].user_id == principal.subject else set()
        for family in sorted(f for f in families if f):
            uow.tokens.revoke_family(family, now)
        record(uow, "auth.logout", "session", principal.session_id, audit=audit)


@dataclass(frozen=True)
class CreatedToken:
    """A new API token: its record and its text, which is never shown again."""

    record: ApiToken
    token: str


def create_api_token(
    *,
    store: Store,
    audit: AuditContext,
    principal: Principal,
    name: str,
    role: Role | None = None,
    expires_in_days: int = DEFAULT_TOKEN_DAYS,
) -> CreatedToken:
    """An API token with at most its creator's permissions; the text is returned once."""
    role = role or principal.role
    if not role_within(role, principal.role):
        raise ForbiddenError(
            f"an API token cannot have more permissions than its creator: role {role} "
            f"exceeds your role {principal.role}",
            role=role.value,
        )
    if not 1 <= expires_in_days <= MAX_TOKEN_DAYS:
        raise ForbiddenError(f"an API token lasts 1 to {MAX_TOKEN_DAYS} days")
    now = utcnow()
    text, parts = new_opaque(API_TOKEN_PREFIX, "tk")
    token = ApiToken(
        id=parts.token_id,
        user_id=principal.subject,
        name=name,
        role=role,
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days),
    )
    with store.transaction() as uow:
        if uow.users.get(principal.subject) is None:
            raise ForbiddenError("only local users can create API tokens")
        uow.tokens.add_api_token(token, hash_secret(parts.secret))
        detail = {"name": name, "role": role.value, "expires_at": token.expires_at.isoformat()}
        record(uow, "api_token.create", "api_token", token.id, audit=audit, detail=detail)
    return CreatedToken(token, text)


def list_api_tokens(
    *, store: Store, principal: Principal, all_users: bool = False
) -> list[ApiToken]:
    """The caller's API tokens, or everyone's for a holder of tokens:admin."""
    if all_users:
        demand(principal, Permission.TOKENS_ADMIN)
    with store.read() as uow:
        return uow.tokens.api_tokens(None if all_users else principal.subject)


def revoke_api_token(
    *, store: Store, audit: AuditContext, principal: Principal, token_id: str
) -> ApiToken:
    """Revoke an API token: one's own, or anyone's with tokens:admin."""
    now = utcnow()
    with store.transaction() as uow:
        found = uow.tokens.get_api_token(token_id)
        if found is None:
            raise NotFoundError(f"API token {token_id} does not exist")
        if found[0].user_id != principal.subject:
            demand(principal, Permission.TOKENS_ADMIN)
        uow.tokens.revoke_api_token(token_id, now)
        record(uow, "api_token.revoke", "api_token", token_id, audit=audit)
    return found[0].model_copy(update={"revoked_at": found[0].revoked_at or now})


def demand(principal: Principal, permission: Permission) -> None:
    """403 naming the permission unless the principal's role has it."""
    if not principal.can(permission):
        raise ForbiddenError(
            f"this needs the permission {permission}, which the role {principal.role} "
            "does not have",
            permission=permission.value,
            role=principal.role.value,
        )


def _refresh_record(
    token_id: str, family_id: str, user_id: str, now: datetime, policy: SignInPolicy
) -> RefreshToken:
    return RefreshToken(
        id=token_id,
        family_id=family_id,
        user_id=user_id,
        issued_at=now,
        expires_at=now + policy.refresh_lifetime,
    )


def _session(
    auth: LocalAuth, user: User, principal: Principal, refresh_text: str, now: datetime
) -> Session:
    session_id = principal.session_id or ""
    access = auth.signer.issue(subject=user.id, session_id=session_id, now=now)
    return Session(
        access_token=access,
        expires_in=int(auth.signer.lifetime.total_seconds()),
        refresh_token=refresh_text,
        refresh_expires_in=int(auth.policy.refresh_lifetime.total_seconds()),
        user=user,
        principal=principal,
    )


def _as(audit: AuditContext, principal: Principal) -> AuditContext:
    """The context with the principal a sign-in has just established."""
    return AuditContext(principal, audit.request_id, audit.client, audit.comment)
