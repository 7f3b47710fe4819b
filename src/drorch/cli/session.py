"""How the CLI proves who it is: DRORCH_TOKEN, else the session `drorch login` stored.

A stored session's access token is refreshed (POST /api/v1/auth/refresh) before it expires,
and once more when the API answers 401 anyway; the request is then retried once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from enum import StrEnum

import httpx

from drorch.cli.credentials import CredentialStore, StoredSession, normal_url
from drorch.cli.output import CliError

REFRESH_PATH = "/api/v1/auth/refresh"
Flow = Generator[httpx.Request, httpx.Response, None]


class AuthMode(StrEnum):
    """Where the bearer token of a command comes from."""

    NONE = "none"
    TOKEN = "token"  # DRORCH_TOKEN
    SESSION = "session"  # drorch login


class StaticTokenAuth(httpx.Auth):
    """Send one fixed bearer token (automation: DRORCH_TOKEN)."""

    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Flow:
        """Add the header; nothing to refresh."""
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


class StoredSessionAuth(httpx.Auth):
    """Send the stored access token, refreshing it when it has expired or is refused."""

    def __init__(
        self,
        store: CredentialStore,
        api_url: str,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._api_url = normal_url(api_url)
        self._clock = clock

    def auth_flow(self, request: httpx.Request) -> Flow:
        """Bearer the stored token; refresh and retry once on expiry or a 401."""
        session = self._store.get(self._api_url)
        if session is None:
            yield request  # the API's 401 becomes "not signed in: run drorch login"
            return
        refreshed = False
        if not session.access_fresh(self._clock()):
            session = yield from self._refresh(session)
            refreshed = True
        request.headers["Authorization"] = f"Bearer {session.access_token}"
        response = yield request
        if response.status_code == 401 and not refreshed:
            session = yield from self._refresh(session)
            request.headers["Authorization"] = f"Bearer {session.access_token}"
            yield request

    def _refresh(
        self, seen: StoredSession
    ) -> Generator[httpx.Request, httpx.Response, StoredSession]:
        """A new session from the refresh endpoint (or from a command that just refreshed)."""
        with self._store.locked():
            current = self._store.get(self._api_url)
            if current is None:
                raise SessionEndedError(self._api_url)
            if current.refresh_token != seen.refresh_token and current.access_fresh(self._clock()):
                return current  # another drorch command refreshed while we waited for the lock
            now = self._clock()
            response = yield httpx.Request(
                "POST",
                self._api_url + REFRESH_PATH,
                json={"refresh_token": current.refresh_token},
                headers={"Accept": "application/json, application/problem+json"},
            )
            response.read()
            if response.status_code in (400, 401, 403):
                self._store.remove(self._api_url)  # revoked or expired: it never works again
                raise SessionEndedError(self._api_url)
            if response.status_code >= 400:
                raise CliError(
                    f"refreshing the session at {self._api_url} failed (HTTP "
                    f"{response.status_code}); try again or run `drorch login`"
                )
            renewed = StoredSession.from_token_reply(self._api_url, response.json(), now)
            self._store.put(renewed)
            return renewed


class SessionEndedError(CliError):
    """The stored session could not be refreshed; the user must sign in again."""

    def __init__(self, api_url: str) -> None:
        super().__init__(
            f"session expired or revoked: run `drorch login --api-url {api_url}` "
            "or set DRORCH_TOKEN"
        )


def auth_for(
    api_url: str, *, token: str | None, store: CredentialStore, only: AuthMode | None = None
) -> tuple[httpx.Auth | None, AuthMode]:
    """DRORCH_TOKEN when set (it wins for automation), else the stored session, if any.

    `only` forces one source: NONE sends nothing (sign-in), SESSION the stored session
    even when DRORCH_TOKEN is set (logout).
    """
    if only is AuthMode.NONE:
        return None, AuthMode.NONE
    if token and only is None:
        return StaticTokenAuth(token), AuthMode.TOKEN
    if store.get(api_url) is not None:
        return StoredSessionAuth(store, api_url), AuthMode.SESSION
    return None, AuthMode.NONE
