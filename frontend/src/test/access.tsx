/** Render as a user of a given role: the permission table of docs/identity.md, for fakes only. */
import type { ReactNode } from "react";
import type { Me, Role } from "../api/identity";
import { AccessContext, accessFor } from "../session/access";

type Permission = Me["permissions"][number];

const VIEWER: Permission[] = ["session", "servers:read", "groups:read", "plans:read", "executions:read", "accounts:read", "notifications:read", "schedules:read"];
const OPERATOR: Permission[] = [...VIEWER, "servers:sync", "drills:start", "drills:operate", "drills:terminate", "readiness:run", "schedules:write", "drills:approve"];
const PLAN_MANAGER: Permission[] = [...OPERATOR, "groups:write", "plans:write"];
const RECOVERY_MANAGER: Permission[] = [...PLAN_MANAGER, "recoveries:start", "recoveries:operate", "recoveries:terminate", "accounts:write", "notifications:write", "recoveries:approve"];

export const ROLE_PERMISSIONS: Record<Role, Permission[]> = {
  viewer: VIEWER,
  auditor: [...VIEWER, "audit:read"],
  operator: OPERATOR,
  plan_manager: PLAN_MANAGER,
  recovery_manager: RECOVERY_MANAGER,
  admin: [...RECOVERY_MANAGER, "audit:read", "users:read", "users:write", "tokens:admin", "backups:write"],
};

export function userOf(role: Role, username: string = role): Me {
  return { subject: `u-${username}`, username, display_name: `${username} person`, email: null, role, source: "local", permissions: ROLE_PERMISSIONS[role] };
}

export function AsRole({ role, children }: { role: Role; children: ReactNode }) {
  return <AccessContext.Provider value={accessFor(userOf(role))}>{children}</AccessContext.Provider>;
}
