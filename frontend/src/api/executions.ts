/** Execution shapes of the executions API: aliases of the generated OpenAPI types. */
import type { components } from "./schema";

type Schemas = components["schemas"];

export type Execution = Schemas["ExecutionRead"];
export type ExecutionSummary = Schemas["ExecutionSummaryRead"];
export type ExecutionWave = Schemas["WaveRunRead"];
export type ExecutionServer = Schemas["ServerRunRead"];
export type ExecutionEvent = Schemas["EventRead"];
export type ExecutionJob = Schemas["JobRead"];
export type ExecutionTimeline = Schemas["TimelineRead"];
export type WaveSpan = Schemas["WaveSpanRead"];
export type JobSpan = Schemas["JobSpanRead"];

/** A stream `servers` message: the servers whose state changed in that version. */
export interface ServerChanges {
  version: number;
  items: ExecutionServer[];
}
export type ExecutionStart = Schemas["ExecutionCreate"];
export type ExecutionPreflight = Schemas["PreflightRead"];
export type PreflightFinding = Schemas["PreflightFindingRead"];
export type ExecutionType = Execution["type"];
export type ExecutionStatus = Execution["status"];
export type CleanupStatus = Execution["cleanup_status"];

export const ACTIVE_STATUSES: ReadonlySet<string> = new Set([
  "PENDING",
  "RUNNING",
  "PAUSED",
  "CANCELLING",
]);

export function isActive(status: string): boolean {
  return ACTIVE_STATUSES.has(status);
}
