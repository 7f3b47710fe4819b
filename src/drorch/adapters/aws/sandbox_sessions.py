"""Sessions for a DRS sandbox: each fleet account signs with its own access key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drorch.adapters.aws.drs import SANDBOX_SECRET
from drorch.adapters.aws.instrument import instrument_session
from drorch.adapters.aws.shared_loader import boto3_session
from drorch.errors import SessionError
from drorch.ports.metrics import AwsCallSink
from drorch.ports.sessions import AccountAccess


class SandboxKeySessions:
    """Implements `drorch.ports.sessions.SessionProvider` over a sandbox fleet's keys."""

    def __init__(
        self, keys: Mapping[str, str], region: str = "us-east-1", sink: AwsCallSink | None = None
    ) -> None:
        self._keys = dict(keys)
        self._region = region
        self._sink = sink

    def session(self, access: AccountAccess | None, *, purpose: str) -> Any:
        """A session signing as the account's sandbox key (the sandbox has no STS yet)."""
        if access is None:
            raise SessionError(
                "the sandbox has no hub account", account_id="", step="hub credentials"
            )
        key = self._keys.get(access.account_id)
        if key is None:
            raise SessionError(
                f"account {access.account_id}: the sandbox fleet has no such account",
                account_id=access.account_id,
                step="sts:AssumeRole",
            )
        session = boto3_session(
            aws_access_key_id=key, aws_secret_access_key=SANDBOX_SECRET, region_name=self._region
        )
        return instrument_session(session, self._sink)
