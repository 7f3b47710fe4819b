/** Shapes of the identity API (docs/identity.md): the signed-in user, tokens, users, audit. */

export type Role = "viewer" | "auditor" | "operator" | "plan_manager" | "recovery_manager" | "admin";

export const ROLES: Role[] = ["viewer", "auditor", "operator", "plan_manager", "recovery_manager", "admin"];

export interface Me {
  subject: string;
  username: string;
  display_name: string;
  email?: string | null;
  role: Role;
  source: string;
  permissions: string[];
}

export interface TokenAnswer {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token: string;
  refresh_expires_in: number;
  user: Me;
}

export interface User {
  id: string;
  username: string;
  display_name: string;
  email?: string | null;
  role: Role;
  enabled: boolean;
  created_at: string;
  last_sign_in_at?: string | null;
  version: number;
}

export interface UserCreate {
  username: string;
  display_name: string;
  email?: string | null;
  role: Role;
  password: string;
}

export interface UserUpdate {
  display_name: string;
  email?: string | null;
  role: Role;
  enabled: boolean;
  version: number;
}

export type AuditOutcome = "success" | "denied" | "refused" | "failed";

export interface AuditRecord {
  seq: number;
  id: string;
  at: string;
  principal: string;
  username?: string | null;
  role?: string | null;
  source?: string | null;
  action: string;
  target_type?: string | null;
  target_id?: string | null;
  outcome: AuditOutcome;
  status?: number | null;
  request_id?: string | null;
  client?: string | null;
  comment?: string | null;
}
