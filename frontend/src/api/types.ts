/** Friendly names for the generated OpenAPI types (src/api/schema.d.ts, `make api-types`). */
import type { components } from "./schema";

type Schemas = components["schemas"];

export type SourceServer = Schemas["SourceServerRead"];
export type SyncResult = Schemas["SyncRead"];
export type ProtectionGroup = Schemas["ProtectionGroupRead"];
export type ProtectionGroupDraft = Schemas["ProtectionGroupCreate"];
export type LaunchDefaults = Schemas["LaunchDefaults"];
export type ServerOverride = Schemas["ServerOverride"];
export type SelectionPreview = Schemas["SelectionPreviewRead"];
export type SelectionConflict = Schemas["SelectionConflict"];
export type RecoveryPlan = Schemas["RecoveryPlanRead"];
export type RecoveryPlanDraft = Schemas["RecoveryPlanCreate"];
export type Wave = Schemas["Wave"];
export type PlanValidation = Schemas["PlanValidationRead"];
export type PlanProblem = Schemas["PlanProblem"];

export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}
