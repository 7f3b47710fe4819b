"""Target account rules: ids, role ARNs, Regions, external ids."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from drorch.domain.accounts import (
    AccountDraft,
    TargetAccount,
    default_role_arn,
    new_external_id,
    role_problem,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_external_ids_are_long_random_and_never_repeat() -> None:
    ids = {new_external_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(i.startswith("drorch-") and len(i) >= 38 for i in ids)


def test_regions_must_be_known_and_listed_once() -> None:
    assert AccountDraft(name="a", regions=["eu-west-1"]).regions == ["eu-west-1"]
    with pytest.raises(ValidationError, match="us-east-7"):
        AccountDraft(name="a", regions=["us-east-7"])
    with pytest.raises(ValidationError, match="twice"):
        AccountDraft(name="a", regions=["us-east-1", "us-east-1"])
    with pytest.raises(ValidationError):
        AccountDraft(name="a", regions=[])


def test_the_role_must_be_an_iam_role_of_the_same_account() -> None:
    assert role_problem("123456789012", default_role_arn("123456789012")) is None
    assert role_problem("123456789012", "arn:aws:iam::123456789012:role/path/ops") is None
    assert "not an IAM role ARN" in str(role_problem("123456789012", "drorch-target"))
    other = role_problem("123456789012", "arn:aws:iam::210987654321:role/drorch-target")
    assert other == "names account 210987654321, not 123456789012"
    with pytest.raises(ValidationError, match="210987654321"):
        TargetAccount(
            account_id="123456789012",
            name="x",
            role_arn="arn:aws:iam::210987654321:role/drorch-target",
            regions=["us-east-1"],
            external_id=new_external_id(),
            created_at=NOW,
            updated_at=NOW,
        )
