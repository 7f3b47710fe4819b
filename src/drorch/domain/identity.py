"""Roles, permissions (one table) and the Principal every service receives."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """What a person or token is allowed to be."""

    VIEWER = "viewer"
    AUDITOR = "auditor"
    OPERATOR = "operator"
    PLAN_MANAGER = "plan_manager"
    RECOVERY_MANAGER = "recovery_manager"
    ADMIN = "admin"


class Permission(StrEnum):
    """One thing a route or a service may demand of its caller."""

    SESSION = "session"
    SERVERS_READ = "servers:read"
    GROUPS_READ = "groups:read"
    PLANS_READ = "plans:read"
    EXECUTIONS_READ = "executions:read"
    ACCOUNTS_READ = "accounts:read"
    SERVERS_SYNC = "servers:sync"
    DRILLS_START = "drills:start"
    DRILLS_OPERATE = "drills:operate"
    DRILLS_TERMINATE = "drills:terminate"
    GROUPS_WRITE = "groups:write"
    PLANS_WRITE = "plans:write"
    RECOVERIES_START = "recoveries:start"
    RECOVERIES_OPERATE = "recoveries:operate"
    RECOVERIES_TERMINATE = "recoveries:terminate"
    ACCOUNTS_WRITE = "accounts:write"
    AUDIT_READ = "audit:read"
    USERS_READ = "users:read"
    USERS_WRITE = "users:write"
    TOKENS_ADMIN = "tokens:admin"
    NOTIFICATIONS_READ = "notifications:read"
    NOTIFICATIONS_WRITE = "notifications:write"
    READINESS_RUN = "readiness:run"
    SCHEDULES_READ = "schedules:read"
    SCHEDULES_WRITE = "schedules:write"
    BACKUPS_WRITE = "backups:write"
    METRICS_READ = "metrics:read"
    DRILLS_APPROVE = "drills:approve"
    RECOVERIES_APPROVE = "recoveries:approve"


P = Permission
_VIEWER = frozenset(
    {P.SESSION, P.SERVERS_READ, P.GROUPS_READ, P.PLANS_READ, P.EXECUTIONS_READ, P.ACCOUNTS_READ}
) | {P.SCHEDULES_READ}
_VIEWER = _VIEWER | {P.NOTIFICATIONS_READ}  # delivery history shows no secret
_VIEWER = _VIEWER | {P.METRICS_READ}  # a scraper's API token needs no power to change anything
_OPERATOR = _VIEWER | {P.SERVERS_SYNC, P.DRILLS_START, P.DRILLS_OPERATE, P.DRILLS_TERMINATE}
_OPERATOR |= {P.READINESS_RUN}  # running a readiness check calls DRS, like a preflight
# Whoever may start a drill may schedule one; what a schedule runs is checked per kind.
_OPERATOR = _OPERATOR | {P.SCHEDULES_WRITE}
_PLAN_MANAGER = _OPERATOR | {P.GROUPS_WRITE, P.PLANS_WRITE}
_RECOVERY_MANAGER = _PLAN_MANAGER | {
    P.RECOVERIES_START,
    P.RECOVERIES_OPERATE,
    P.RECOVERIES_TERMINATE,
    P.ACCOUNTS_WRITE,
}
# Channels decide where drorch's news (and SMTP credentials) go: recovery managers and admins.
_RECOVERY_MANAGER = _RECOVERY_MANAGER | {P.NOTIFICATIONS_WRITE}

# Approval steps: whoever runs drills may approve a drill's; a recovery's needs a manager.
_OPERATOR = _OPERATOR | {P.DRILLS_APPROVE}
_PLAN_MANAGER = _PLAN_MANAGER | {P.DRILLS_APPROVE}
_RECOVERY_MANAGER = _RECOVERY_MANAGER | {P.DRILLS_APPROVE, P.RECOVERIES_APPROVE}

# The one permission table: data only, read by the API's dependency and by the UI via /me.
PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: _VIEWER,
    Role.AUDITOR: _VIEWER | {P.AUDIT_READ},
    Role.OPERATOR: _OPERATOR,
    Role.PLAN_MANAGER: _PLAN_MANAGER,
    Role.RECOVERY_MANAGER: _RECOVERY_MANAGER,
    Role.ADMIN: frozenset(Permission),
}


class Source(StrEnum):
    """How the caller proved who they are."""

    LOCAL = "local"
    API_TOKEN = "api_token"
    COGNITO = "cognito"
    CLI = "cli"
    SCHEDULE = "schedule"  # a scheduled run acting as the schedule's owner


@dataclass(frozen=True)
class Principal:
    """Who is calling, whatever signed the token; the only identity services see."""

    subject: str
    username: str
    display_name: str
    role: Role
    source: Source
    token_id: str | None = None
    session_id: str | None = None

    @property
    def permissions(self) -> frozenset[Permission]:
        """Everything this principal's role allows."""
        return PERMISSIONS[self.role]

    def can(self, permission: Permission) -> bool:
        """Whether the role allows `permission`."""
        return permission in PERMISSIONS[self.role]


def role_within(role: Role, ceiling: Role) -> bool:
    """Whether `role` allows nothing that `ceiling` does not (an API token's limit)."""
    return PERMISSIONS[role] <= PERMISSIONS[ceiling]


def strongest(roles: list[Role]) -> Role | None:
    """The role with the most permissions (ties: the later in Role's order), or None."""
    return max(roles, key=lambda r: (len(PERMISSIONS[r]), list(Role).index(r)), default=None)
