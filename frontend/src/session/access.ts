/**
 * What the signed-in user may do, from the permissions /auth/me lists. The server still
 * enforces every one; the UI only disables what would be refused, and says why.
 */
import { createContext, useContext } from "react";
import type { Me } from "../api/identity";

/** The permissions the UI guards an action with (a subset of the API's Permission). */
export type Permission = Extract<
  Me["permissions"][number],
  | "servers:sync"
  | "drills:start"
  | "drills:operate"
  | "drills:terminate"
  | "groups:write"
  | "plans:write"
  | "recoveries:start"
  | "recoveries:operate"
  | "recoveries:terminate"
  | "accounts:read"
  | "accounts:write"
  | "audit:read"
  | "users:read"
  | "users:write"
  | "tokens:admin"
  | "notifications:read"
  | "notifications:write"
  | "readiness:run"
  | "schedules:write"
  | "backups:write"
  | "drills:approve"
  | "recoveries:approve"
>;

// The least role holding each permission (docs/identity.md), so a reason names whom to ask.
const LEAST_ROLE: Record<Permission, string> = {
  "servers:sync": "operator",
  "drills:start": "operator",
  "drills:operate": "operator",
  "drills:terminate": "operator",
  "groups:write": "plan_manager",
  "plans:write": "plan_manager",
  "recoveries:start": "recovery_manager",
  "recoveries:operate": "recovery_manager",
  "recoveries:terminate": "recovery_manager",
  "accounts:read": "viewer",
  "accounts:write": "recovery_manager",
  "audit:read": "auditor or admin",
  "users:read": "admin",
  "users:write": "admin",
  "tokens:admin": "admin",
  "notifications:read": "viewer",
  "notifications:write": "recovery_manager",
  "readiness:run": "operator",
  "schedules:write": "operator",
  "backups:write": "admin",
  "drills:approve": "operator",
  "recoveries:approve": "recovery_manager",
};

/** Why a permission is missing, in the words the UI shows next to a disabled action. */
export function neededReason(permission: Permission): string {
  return `Needs the ${LEAST_ROLE[permission]} role (permission ${permission})`;
}

export interface Access {
  can: (permission: Permission) => boolean;
  /** Undefined when allowed, else the reason the action is disabled. */
  denied: (permission: Permission) => string | undefined;
}

/** The access of a user; without one nothing is allowed. */
export function accessFor(user: Me | undefined): Access {
  const granted = new Set(user?.permissions ?? []);
  const can = (permission: Permission) => granted.has(permission);
  return { can, denied: (permission) => (can(permission) ? undefined : neededReason(permission)) };
}

export const AccessContext = createContext<Access>(accessFor(undefined));

export function useAccess(): Access {
  return useContext(AccessContext);
}
