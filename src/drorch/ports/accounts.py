"""The account probe port: what verifying a target account checks in one Region."""

from __future__ import annotations

from typing import Protocol

from drorch.domain.accounts import RegionCheck
from drorch.ports.sessions import AccountAccess


class AccountProbe(Protocol):
    """Checks, with the target account's own session, what drorch needs in a Region."""

    def check(self, access: AccountAccess, region: str, *, purpose: str) -> RegionCheck: ...
