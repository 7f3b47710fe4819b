/** Readiness runs of recovery plans: run one now, read a plan's history, the latest of each. */
import { request } from "./http";
import type { components } from "./schema";

type Schemas = components["schemas"];

export type ReadinessRun = Schemas["ReadinessRunRead"];
export type ReadinessFinding = Schemas["FindingRead"];
export type ReadinessHistory = Schemas["ReadinessHistoryRead"];
export type ReadinessOverview = Schemas["ReadinessOverviewRead"];
/** A plan as a save answers it: with what the store-only checks found. */
export type RecoveryPlanSaved = Schemas["RecoveryPlanSaved"];

const V1 = "/api/v1";
const plan = (id: string) => `${V1}/recovery-plans/${encodeURIComponent(id)}/readiness`;

export const readinessApi = {
  /** The latest run of every plan checked so far. */
  overview: (signal?: AbortSignal) => request<ReadinessOverview>(`${V1}/readiness`, { signal }),
  /** A plan's latest run and a page of its history. */
  history: (planId: string, signal?: AbortSignal) =>
    request<ReadinessHistory>(plan(planId), { query: { limit: 10 }, signal }),
  /** Run every check of a plan now (needs readiness:run). */
  run: (planId: string) => request<ReadinessRun>(plan(planId), { method: "POST" }),
};

/** The findings that make a plan not ready, then the warnings (info notes are left out). */
export function failingFirst(findings: ReadinessFinding[]): ReadinessFinding[] {
  const rank = { error: 0, warning: 1, info: 2 } as const;
  return findings.filter((f) => f.severity !== "info").sort((a, b) => rank[a.severity] - rank[b.severity]);
}
