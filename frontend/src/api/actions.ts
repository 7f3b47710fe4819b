/** Action steps: the types a plan may use, the step shapes of a run, approve/decline. */
import type { Execution } from "./executions";
import { request } from "./http";
import type { components } from "./schema";

type Schemas = components["schemas"];

export type ActionType = Schemas["ActionTypeRead"];
export type ActionDraft = Schemas["Action"];
export type StepRun = Schemas["StepRunRead"];
export type Decision = "approve" | "decline";

const V1 = "/api/v1";

export const actionsApi = {
  types: (signal?: AbortSignal) => request<ActionType[]>(`${V1}/action-types`, { signal }),
  decide: (executionId: string, step: string, decision: Decision, comment: string) =>
    request<Execution>(
      `${V1}/executions/${encodeURIComponent(executionId)}/steps/${encodeURIComponent(step)}/${decision}`,
      { method: "POST", body: comment ? { comment } : {} },
    ),
};

/** The permission deciding an approval needs: a recovery's needs a recovery manager. */
export function approvePermission(e: Execution): "drills:approve" | "recoveries:approve" {
  return e.type === "RECOVERY" ? "recoveries:approve" : "drills:approve";
}

/** Approvals of the run that wait for a decision, with their wave. */
export function pendingApprovals(e: Execution): { wave: string; step: StepRun }[] {
  return e.waves.flatMap((w) => (w.steps ?? []).filter((s) => s.awaiting_approval).map((step) => ({ wave: w.name, step })));
}
