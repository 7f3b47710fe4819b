"""The session provider over STS: the hub's default chain, AssumeRole per target account."""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.config import Config
from botocore.credentials import RefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from drorch.adapters.aws.instrument import instrument_session
from drorch.adapters.aws.shared_loader import boto3_session, core_session
from drorch.errors import SessionError
from drorch.ports.metrics import AwsCallSink
from drorch.ports.sessions import AccountAccess

# One attempt per call: the provider retries throttling itself, with backoff and jitter.
STS_CONFIG = Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=5)
THROTTLED = {"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequests"}
SESSION_NAME = re.compile(r"[^\w+=,.@-]")
ASSUME = "sts:AssumeRole"
MAX_SESSIONS = 512


def session_name(purpose: str) -> str:
    """A role session name (2-64 of [\\w+=,.@-]) naming the execution or user action."""
    cleaned = SESSION_NAME.sub("-", f"drorch-{purpose}")
    return cleaned[:64]


class StsSessions:
    """Implements `drorch.ports.sessions.SessionProvider` with one cache for every adapter."""

    def __init__(
        self,
        *,
        hub: Any = None,
        region: str = "us-east-1",
        endpoint_url: str | None = None,
        duration_seconds: int = 3600,
        attempts: int = 5,
        base_delay: float = 0.2,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        sts_client: Any = None,
        sink: AwsCallSink | None = None,
    ) -> None:
        # Every session made here counts its clients' calls (metrics), STS's own included.
        self._sink = sink
        self._hub = instrument_session(hub, sink) if hub is not None else None
        self._client = sts_client
        self._region = region
        self._endpoint_url = endpoint_url
        self._duration = duration_seconds
        self._attempts = attempts
        self._base_delay = base_delay
        self._sleep = sleep
        self._now = now
        self._cache: dict[tuple[AccountAccess, str], Any] = {}
        self._lock = threading.Lock()
        self.assume_calls = 0

    def hub_session(self) -> Any:
        """The hub's own session: profile, environment, or instance/Lambda role."""
        with self._lock:
            if self._hub is None:
                made = boto3_session(region_name=self._region)
                self._hub = instrument_session(made, self._sink)
            return self._hub

    def session(self, access: AccountAccess | None, *, purpose: str) -> Any:
        """The hub's session (None) or the account's cached, self-refreshing assumed session."""
        if access is None:
            return self.hub_session()
        name = session_name(purpose)
        key = (access, name)
        with self._lock:
            found = self._cache.get(key)
        if found is not None:
            return found
        made = self._assumed_session(access, name)
        with self._lock:
            if len(self._cache) >= MAX_SESSIONS:
                self._cache.clear()  # sessions named per execution: keep the cache bounded
            return self._cache.setdefault(key, made)

    def _assumed_session(self, access: AccountAccess, name: str) -> Any:
        def refresh() -> dict[str, str]:
            return self._assume(access, name)

        first = refresh()  # fails now, naming the account, rather than on the first DRS call
        credentials = RefreshableCredentials(
            access_key=first["access_key"],
            secret_key=first["secret_key"],
            token=first["token"],
            expiry_time=datetime.fromisoformat(first["expiry_time"]),
            refresh_using=refresh,
            method="sts-assume-role",
            time_fetcher=self._now,
        )
        core = core_session()  # models shared with every other session
        # botocore offers no public setter; a session built on refreshable credentials
        # is how its own assume-role provider works too.
        core._credentials = credentials
        session = boto3.session.Session(botocore_session=core, region_name=self._region)
        return instrument_session(session, self._sink)

    def _assume(self, access: AccountAccess, name: str) -> dict[str, str]:
        client = self._sts()
        for attempt in range(1, self._attempts + 1):
            try:
                self.assume_calls += 1
                answer = client.assume_role(
                    RoleArn=access.role_arn,
                    RoleSessionName=name,
                    ExternalId=access.external_id,
                    DurationSeconds=self._duration,
                )
                return _metadata(answer["Credentials"])
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code", "")
                if code in THROTTLED and attempt < self._attempts:
                    self._sleep(self._delay(attempt))
                    continue
                raise _assume_error(access, exc, code) from exc
            except NoCredentialsError as exc:
                raise SessionError(
                    f"account {access.account_id}: the hub has no AWS credentials to call "
                    f"{ASSUME} with (set a profile, environment keys or an instance role)",
                    account_id=access.account_id,
                    step="hub credentials",
                ) from exc
            except BotoCoreError as exc:
                raise SessionError(
                    f"account {access.account_id}: {ASSUME} on {access.role_arn} failed: {exc}",
                    account_id=access.account_id,
                    step=ASSUME,
                ) from exc
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _delay(self, attempt: int) -> float:
        # Full jitter: spread the retries of many accounts throttled at once.
        return float(random.uniform(0, self._base_delay * 2 ** (attempt - 1)))

    def _sts(self) -> Any:
        if self._client is None:
            hub = self.hub_session()
            # Clients are thread-safe once made; one serves every account.
            made = hub.client(
                "sts", region_name=self._region, endpoint_url=self._endpoint_url, config=STS_CONFIG
            )
            with self._lock:
                self._client = self._client or made
        return self._client


def _metadata(credentials: dict[str, Any]) -> dict[str, str]:
    expiry = credentials["Expiration"]
    if isinstance(expiry, datetime):
        expiry = expiry.astimezone(UTC).isoformat()
    return {
        "access_key": credentials["AccessKeyId"],
        "secret_key": credentials["SecretAccessKey"],
        "token": credentials["SessionToken"],
        "expiry_time": str(expiry),
    }


def _assume_error(access: AccountAccess, exc: ClientError, code: str) -> SessionError:
    message = exc.response.get("Error", {}).get("Message", "") or str(exc)
    hint = ""
    if code == "AccessDenied":
        hint = (
            " (is the spoke role deployed, does it trust this hub, and does its "
            "sts:ExternalId condition hold this account's external id?)"
        )
    return SessionError(
        f"account {access.account_id}: {ASSUME} on {access.role_arn} was refused "
        f"({code or 'error'}: {message}){hint}",
        account_id=access.account_id,
        step=ASSUME,
        code=code,
    )
