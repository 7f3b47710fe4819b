"""Old Lambda versions: count them, plan a prune, delete what the plan names.

Every deploy that changes a function publishes an AWS::Lambda::Version and retains the one
before it (rollback needs somewhere to go), so versions pile up against the Region's code
storage. A version is *old* when no alias points at it and the stack's version resource is
not it. A prune keeps, per function, the newest `keep` published versions, every version an
alias names (AWS refuses to delete those anyway), the stack's own and the ones
`drorch deploy rollback` would go back to; it deletes the other old ones, oldest first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from drorch.deploy import aliases, naming
from drorch.deploy.aws import aws_errors
from drorch.deploy.context import Reporter, Target
from drorch.errors import DeployError, ValidationError

DEFAULT_KEEP = 3


@dataclass(frozen=True)
class FunctionVersions:
    """One function's published versions (ascending) and why some must stay."""

    name: str
    published: list[int]
    named: dict[int, str] = field(default_factory=dict)  # version -> alias, stack, rollback

    def old(self) -> list[int]:
        """The versions no alias points at and the stack's version resource is not."""
        return [v for v in self.published if self.named.get(v) in (None, "rollback")]

    def doomed(self, keep: int) -> list[int]:
        """What a prune keeping the newest `keep` deletes, oldest first."""
        newest = set(self.published[-keep:]) if keep else set()
        return [v for v in self.published if v not in newest and v not in self.named]

    def kept(self, keep: int) -> list[int]:
        """What a prune keeping the newest `keep` leaves, ascending."""
        doomed = set(self.doomed(keep))
        return [v for v in self.published if v not in doomed]


@dataclass(frozen=True)
class Plan:
    """What one prune would delete, per function."""

    stack: str
    keep: int
    functions: list[FunctionVersions]

    def deletions(self) -> list[tuple[str, int]]:
        """(function, version) pairs to delete, function by function, oldest first."""
        return [(f.name, v) for f in self.functions for v in f.doomed(self.keep)]

    def as_dict(self) -> dict[str, Any]:
        """The plan as the JSON output shows it."""
        return {
            "stack": self.stack,
            "keep": self.keep,
            "delete": [{"function": n, "version": str(v)} for n, v in self.deletions()],
            "kept": {f.name: [str(v) for v in f.kept(self.keep)] for f in self.functions},
        }


def old_versions(target: Target) -> dict[str, int]:
    """Function name -> how many old versions it has (no alias on them)."""
    return {f.name: len(f.old()) for f in _functions(target)}


def plan(target: Target, *, keep: int = DEFAULT_KEEP) -> Plan:
    """What a prune keeping the newest `keep` versions of each function would delete."""
    if keep < 1:
        raise ValidationError(
            "--keep must be at least 1: rollback needs a version to go back to",
            [{"path": "keep", "message": "must be at least 1"}],
        )
    name = naming.stack_name(target.env)
    return Plan(name, keep, _functions(target))


def apply(target: Target, planned: Plan, reporter: Reporter) -> dict[str, Any]:
    """Delete the planned versions; the alias history forgets the sets that named them."""
    lam = target.aws.client("lambda")
    deleted: list[tuple[str, int]] = []
    for name, version in planned.deletions():
        try:
            with aws_errors(f"delete version {version} of {name}"):
                lam.delete_function(FunctionName=name, Qualifier=str(version))
        except DeployError as exc:
            _forget(target, deleted)
            raise DeployError(f"{exc.detail} ({len(deleted)} deleted before it)") from exc
        deleted.append((name, version))
    _forget(target, deleted)
    for function in planned.functions:
        gone = function.doomed(planned.keep)
        if gone:
            reporter.step(f"{function.name}: deleted versions {_listed(gone)}")
    return {**planned.as_dict(), "status": "pruned", "deleted": len(deleted)}


def _functions(target: Target) -> list[FunctionVersions]:
    stack = aliases.stack_versions(target)
    entries = aliases.history(target).entries()
    rollback = entries[-2] if len(entries) >= 2 else {}
    found = []
    for name in sorted(stack):
        named = {int(v): "rollback" for v in [rollback.get(name)] if v and v.isdigit()}
        if stack[name].isdigit():
            named[int(stack[name])] = "stack"
        named.update(_aliased(target, name))
        found.append(FunctionVersions(name, _published(target, name), named))
    return found


def _published(target: Target, name: str) -> list[int]:
    lam = target.aws.client("lambda")
    numbers: list[int] = []
    with aws_errors(f"list the versions of {name}"):
        for page in lam.get_paginator("list_versions_by_function").paginate(FunctionName=name):
            numbers += [int(v["Version"]) for v in page["Versions"] if v["Version"].isdigit()]
    return sorted(numbers)


def _aliased(target: Target, name: str) -> dict[int, str]:
    """Version -> the alias naming it (its main version or a weighted extra one)."""
    lam = target.aws.client("lambda")
    named: dict[int, str] = {}
    with aws_errors(f"list the aliases of {name}"):
        for page in lam.get_paginator("list_aliases").paginate(FunctionName=name):
            for alias in page["Aliases"]:
                weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights", {})
                for version in [alias["FunctionVersion"], *weights]:
                    if str(version).isdigit():
                        named[int(version)] = f"alias {alias['Name']}"
    return named


def _forget(target: Target, deleted: list[tuple[str, int]]) -> None:
    """Drop the history's sets naming a deleted version: rollback never aims at one."""
    if not deleted:
        return
    gone = {(name, str(version)) for name, version in deleted}
    kept = aliases.history(target)
    entries = kept.entries()
    left = [e for e in entries if not any(pair in gone for pair in e.items())]
    if left != entries:
        kept.save(left)


def _listed(versions: list[int]) -> str:
    return ", ".join(str(v) for v in versions)
