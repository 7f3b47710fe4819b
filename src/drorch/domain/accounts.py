"""Target accounts: the AWS accounts drorch reaches through an assumed role."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from enum import StrEnum

from pydantic import Field, field_validator, model_validator

from drorch.domain.common import Model, Name

ACCOUNT_ID = r"^[0-9]{12}$"
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(?P<account>[0-9]{12}):role/[\w+=,.@/-]{1,512}$")
DEFAULT_ROLE_NAME = "drorch-target"
EXTERNAL_ID_PREFIX = "drorch-"
# Regions where DRS is offered; an unknown name is far more often a typo than a new Region.
KNOWN_REGIONS = frozenset(
    {
        "af-south-1",
        "ap-east-1",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ca-central-1",
        "eu-central-1",
        "eu-central-2",
        "eu-north-1",
        "eu-south-1",
        "eu-south-2",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "il-central-1",
        "me-central-1",
        "me-south-1",
        "sa-east-1",
        "us-east-1",
        "us-east-2",
        "us-gov-east-1",
        "us-gov-west-1",
        "us-west-1",
        "us-west-2",
    }
)


class AccountStatus(StrEnum):
    """Where an account stands: never checked, last check passed, last check failed."""

    UNVERIFIED = "UNVERIFIED"
    VERIFIED = "VERIFIED"
    FAILED = "FAILED"


def default_role_arn(account_id: str) -> str:
    """The role the spoke template creates in an account."""
    return f"arn:aws:iam::{account_id}:role/{DEFAULT_ROLE_NAME}"


def new_external_id() -> str:
    """A fresh external id, unguessable and different for every account."""
    return EXTERNAL_ID_PREFIX + secrets.token_urlsafe(24)


def check_region(region: str) -> str:
    """The Region as given; ValueError naming it when DRS is not offered there."""
    if region not in KNOWN_REGIONS:
        raise ValueError(f"{region!r} is not a Region DRS is offered in")
    return region


class RegionCheck(Model):
    """What verifying one Region found: the step that failed and the permissions missing."""

    region: str
    ok: bool
    failed_step: str | None = None
    missing_permissions: list[str] = Field(default_factory=list)
    detail: str = ""


class Verification(Model):
    """The last verification of an account: who ran it, when, and per-Region results."""

    at: datetime
    by: str
    ok: bool
    role_assumed: bool
    detail: str = ""
    regions: list[RegionCheck] = Field(default_factory=list)

    @property
    def missing_permissions(self) -> list[str]:
        """Every permission some Region lacked, once each."""
        return list(dict.fromkeys(p for r in self.regions for p in r.missing_permissions))


class AccountDraft(Model):
    """The fields a caller chooses for a target account."""

    name: Name = Field(min_length=1, max_length=128)
    role_arn: str | None = Field(
        default=None, description="Defaults to arn:aws:iam::<id>:role/drorch-target."
    )
    regions: list[str] = Field(min_length=1, max_length=len(KNOWN_REGIONS))

    @field_validator("regions")
    @classmethod
    def _known_regions(cls, regions: list[str]) -> list[str]:
        for region in regions:
            check_region(region)
        if len(set(regions)) != len(regions):
            raise ValueError("lists a Region twice")
        return regions


class TargetAccount(Model):
    """A registered account: how drorch assumes its role and what the last check found."""

    account_id: str = Field(pattern=ACCOUNT_ID)
    name: Name = Field(min_length=1, max_length=128)
    role_arn: str
    regions: list[str] = Field(min_length=1)
    external_id: str = Field(min_length=2, max_length=1224)
    status: AccountStatus = AccountStatus.UNVERIFIED
    last_verification: Verification | None = None
    version: int = 1
    created_at: datetime
    updated_at: datetime

    @model_validator(mode="after")
    def _role_in_account(self) -> TargetAccount:
        found = ROLE_ARN.match(self.role_arn)
        if found is None:
            raise ValueError(f"role_arn {self.role_arn!r} is not an IAM role ARN")
        if found.group("account") != self.account_id:
            raise ValueError(f"role_arn names account {found.group('account')}, not this one")
        return self


def role_problem(account_id: str, role_arn: str) -> str | None:
    """Why a role ARN cannot be this account's, or None when it can."""
    found = ROLE_ARN.match(role_arn)
    if found is None:
        return "is not an IAM role ARN (arn:aws:iam::<account id>:role/<name>)"
    if found.group("account") != account_id:
        return f"names account {found.group('account')}, not {account_id}"
    return None
