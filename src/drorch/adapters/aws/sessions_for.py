"""How an AWS adapter gets the boto3 session of a scope: session provider or sandbox key."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from drorch.adapters.aws.drs import SANDBOX_SECRET, _access
from drorch.adapters.aws.shared_loader import boto3_session
from drorch.domain.accounts import TargetAccount
from drorch.ports.drs import Scope
from drorch.ports.sessions import SessionProvider


def account_sessions(
    sessions: SessionProvider,
    accounts: Callable[[], Sequence[TargetAccount]],
    hub_ids: set[str],
) -> Callable[[Scope, str], Any]:
    """A target account's assumed-role session, or the hub's own for the hub's account."""

    def session_for(scope: Scope, purpose: str) -> Any:
        return sessions.session(_access(scope, accounts(), hub_ids), purpose=purpose)

    return session_for


def sandbox_key_sessions(access_key: Callable[[str], str]) -> Callable[[Scope, str], Any]:
    """A session signing with the sandbox key that stands for the scope's account."""

    def session_for(scope: Scope, purpose: str) -> Any:
        return boto3_session(
            aws_access_key_id=access_key(scope.account_id),
            aws_secret_access_key=SANDBOX_SECRET,
            region_name=scope.region,
        )

    return session_for
