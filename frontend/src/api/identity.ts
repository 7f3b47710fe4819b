/** Friendly names for the identity API's generated types (docs/identity.md). */
import type { components } from "./schema";

type Schemas = components["schemas"];

export type Role = Schemas["Role"];
export type Me = Schemas["MeRead"];
export type TokenAnswer = Schemas["TokenRead"];
export type User = Schemas["UserRead"];
export type UserCreate = Schemas["UserCreate"];
export type UserUpdate = Schemas["UserUpdate"];
export type AuditOutcome = Schemas["Outcome"];
export type AuditRecord = Schemas["AuditRecordRead"];

export const ROLES: Role[] = ["viewer", "auditor", "operator", "plan_manager", "recovery_manager", "admin"];
