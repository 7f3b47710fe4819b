"""The permission table: each role includes the one below it, and the extra rules hold."""

from __future__ import annotations

from itertools import pairwise

from drorch.domain.identity import PERMISSIONS, Permission, Role, role_within, strongest
from drorch.domain.users import password_problems

P = Permission
LADDER = [Role.VIEWER, Role.OPERATOR, Role.PLAN_MANAGER, Role.RECOVERY_MANAGER, Role.ADMIN]


def test_each_role_includes_the_one_below_and_adds_something() -> None:
    for lower, higher in pairwise(LADDER):
        assert PERMISSIONS[lower] < PERMISSIONS[higher], (lower, higher)


def test_auditor_is_viewer_plus_the_audit_log() -> None:
    assert PERMISSIONS[Role.AUDITOR] == PERMISSIONS[Role.VIEWER] | {P.AUDIT_READ}
    assert P.AUDIT_READ not in PERMISSIONS[Role.RECOVERY_MANAGER]


def test_recoveries_need_more_than_drills() -> None:
    for role in (Role.OPERATOR, Role.PLAN_MANAGER):
        assert {P.DRILLS_START, P.DRILLS_OPERATE, P.DRILLS_TERMINATE} <= PERMISSIONS[role]
        assert not {P.RECOVERIES_START, P.RECOVERIES_OPERATE} & PERMISSIONS[role]
    assert P.RECOVERIES_START in PERMISSIONS[Role.RECOVERY_MANAGER]


def test_only_admins_manage_users_and_every_token() -> None:
    holders = {r for r, perms in PERMISSIONS.items() if P.USERS_WRITE in perms}
    assert holders == {Role.ADMIN} and PERMISSIONS[Role.ADMIN] == frozenset(Permission)


def test_token_ceiling_and_the_strongest_group() -> None:
    assert role_within(Role.VIEWER, Role.OPERATOR)
    assert not role_within(Role.AUDITOR, Role.OPERATOR)  # operators may not read the audit log
    assert not role_within(Role.ADMIN, Role.RECOVERY_MANAGER)
    assert strongest([Role.VIEWER, Role.PLAN_MANAGER, Role.AUDITOR]) == Role.PLAN_MANAGER
    assert strongest([]) is None


def test_password_policy() -> None:
    assert password_problems("correct horse battery", "alice") == []
    assert [p.message for p in password_problems("short", "alice")] == [
        "must be at least 12 characters"
    ]
    assert "must not be the username" in [
        p.message for p in password_problems("Alice-Example", "alice-example")
    ]
