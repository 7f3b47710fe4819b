/** Friendly names for the schedules API's generated types (docs/operations.md, Schedules). */
import type { components } from "./schema";

type Schemas = components["schemas"];

export type Schedule = Schemas["ScheduleRead"];
export type ScheduleDraft = Schemas["ScheduleCreate"];
export type ScheduleRun = Schemas["ScheduleRun"];
export type SchedulePreview = Schemas["PreviewRead"];
export type ScheduleKind = Schedule["kind"];

export const KIND_LABELS: Record<ScheduleKind, string> = {
  drill: "Drill",
  readiness: "Readiness check",
  backup: "Backup",
};
