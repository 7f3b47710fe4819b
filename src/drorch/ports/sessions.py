"""The session port: credentials for the hub and for each target account."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

# The purpose AWS adapters name their sessions after when a caller set none: the engine sets
# the execution it advances, so the target account's CloudTrail names the execution.
SESSION_PURPOSE: ContextVar[str] = ContextVar("drorch_session_purpose", default="engine")


@contextmanager
def session_purpose(purpose: str) -> Iterator[None]:
    """Name the sessions made inside the block (in this thread) after `purpose`."""
    token = SESSION_PURPOSE.set(purpose)
    try:
        yield
    finally:
        SESSION_PURPOSE.reset(token)


@dataclass(frozen=True)
class AccountAccess:
    """What assuming an account's role takes: the role and the account's own external id."""

    account_id: str
    role_arn: str
    external_id: str


class SessionProvider(Protocol):
    """Hands out boto3 sessions; the only thing in drorch that calls STS.

    `session(None, ...)` is the hub's own session (the default credential chain); for a
    target account it is an AssumeRole session, cached and refreshed before it expires.
    `purpose` names the execution or user action and becomes the role session name.
    Failures raise `drorch.errors.SessionError` naming the account and the step.
    """

    def session(self, access: AccountAccess | None, *, purpose: str) -> Any: ...
