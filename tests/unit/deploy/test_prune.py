"""Which Lambda versions a prune keeps and which it deletes."""

from __future__ import annotations

import pytest

from drorch.cli import deploy_prune
from drorch.deploy import prune
from drorch.deploy.prune import FunctionVersions, Plan
from drorch.errors import ValidationError


def test_the_newest_and_every_named_version_stay_the_rest_go_oldest_first() -> None:
    versions = FunctionVersions(
        "fn", [1, 2, 3, 4, 5, 6, 7, 8], {2: "alias live", 3: "rollback", 5: "stack"}
    )

    assert versions.doomed(3) == [1, 4]
    assert versions.kept(3) == [2, 3, 5, 6, 7, 8]
    assert versions.doomed(1) == [1, 4, 6, 7]
    # Old: no alias on it and not the stack's (the rollback target is old, and kept).
    assert versions.old() == [1, 3, 4, 6, 7, 8]


def test_a_function_with_few_versions_loses_none() -> None:
    versions = FunctionVersions("fn", [1, 2], {2: "alias live"})

    assert versions.doomed(3) == [] and versions.kept(3) == [1, 2]


def test_the_plan_lists_the_deletions_function_by_function() -> None:
    planned = Plan(
        "drorch-dev",
        2,
        [FunctionVersions("a", [1, 2, 3, 4], {1: "alias live"}), FunctionVersions("b", [1])],
    )

    assert planned.deletions() == [("a", 2)]
    assert planned.as_dict() == {
        "stack": "drorch-dev",
        "keep": 2,
        "delete": [{"function": "a", "version": "2"}],
        "kept": {"a": ["1", "3", "4"], "b": ["1"]},
    }


def test_keep_zero_is_refused_and_the_cli_default_is_the_modules() -> None:
    with pytest.raises(ValidationError, match="at least 1"):
        prune.plan(None, keep=0)  # type: ignore[arg-type]  # refused before any call
    assert deploy_prune.DEFAULT_KEEP == prune.DEFAULT_KEEP
