"""The embedded sandbox as hub and spokes: every call goes hub -> STS AssumeRole -> spoke.

`drorch serve --sandbox` reaches the fleet's accounts the way it reaches real ones: the hub
(a sandbox key) asks the sandbox's STS for each account's role with that account's external
id, and DRS and EC2 calls sign with the keys STS issued. A fleet account drorch has not
registered is a spoke with an external id made for this process. The sandbox plays the
spoke owner too: before drorch assumes a role, the role's trust is recorded as deploying
`infra/target-account.yaml` with drorch's external id would have it; the sandbox's STS still
refuses any other external id or role.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from drorch.adapters.aws.drs import SANDBOX_SECRET
from drorch.adapters.aws.shared_loader import boto3_session
from drorch.domain.accounts import TargetAccount, default_role_arn, new_external_id
from drorch.ports.sessions import AccountAccess, SessionProvider

HUB_KEY = "SBXHUB"


def hub_session(region: str) -> Any:
    """The hub's own session in the sandbox (any key may call its STS)."""
    return boto3_session(
        aws_access_key_id=HUB_KEY, aws_secret_access_key=SANDBOX_SECRET, region_name=region
    )


class FleetSpokes:
    """The fleet's accounts as target accounts: registered ones as registered, others made up."""

    def __init__(
        self,
        fleet_regions: dict[str, list[str]],
        names: dict[str, str],
        registered: Callable[[], Sequence[TargetAccount]],
    ) -> None:
        now = datetime.now(UTC)
        self._registered = registered
        self._made = {
            account: TargetAccount(
                account_id=account,
                name=names.get(account) or f"sandbox-{account}",
                role_arn=default_role_arn(account),
                regions=regions,
                external_id=new_external_id(),
                created_at=now,
                updated_at=now,
            )
            for account, regions in fleet_regions.items()
        }

    def accounts(self) -> list[TargetAccount]:
        """One target account per fleet account (the registered record wins)."""
        known = {a.account_id: a for a in self._registered() if a.account_id in self._made}
        return [known.get(account, made) for account, made in self._made.items()]


class DeployingSessions:
    """A session provider that records each spoke's trust in the sandbox before assuming it."""

    def __init__(self, inner: SessionProvider, deploy: Callable[[AccountAccess], None]) -> None:
        self._inner = inner
        self._deploy = deploy

    def session(self, access: AccountAccess | None, *, purpose: str) -> Any:
        """The inner provider's session, once the spoke's role trusts this access."""
        if access is not None:
            self._deploy(access)
        return self._inner.session(access, purpose=purpose)
