/**
 * Preflight before starting: the plan's validation, executions of the plan still active,
 * and what the server itself refused when a start was attempted (409 with every reason).
 */
import { api } from "../../api/client";
import { isActive, type ExecutionSummary } from "../../api/executions";
import { useResource } from "../../api/useResource";
import type { PlanProblem } from "../../api/types";

export interface PreflightCheck {
  id: string;
  ok: boolean;
  severity: "error" | "warning" | "success";
  text: string;
}

export function describeConflict(conflict: unknown): string {
  if (typeof conflict === "string") return conflict;
  if (typeof conflict === "object" && conflict !== null) {
    const c = conflict as Record<string, unknown>;
    for (const key of ["message", "detail", "reason"]) if (typeof c[key] === "string") return c[key] as string;
    return Object.entries(c).map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`).join(", ");
  }
  return String(conflict);
}

function fromValidation(errors: PlanProblem[], warnings: PlanProblem[]): PreflightCheck[] {
  const checks: PreflightCheck[] = errors.map((e, i) => ({ id: `err-${i}`, ok: false, severity: "error", text: e.message }));
  warnings.forEach((w, i) => checks.push({ id: `warn-${i}`, ok: true, severity: "warning", text: w.message }));
  if (!errors.length) checks.unshift({ id: "valid", ok: true, severity: "success", text: "The plan is valid." });
  return checks;
}

function fromActive(active: ExecutionSummary[]): PreflightCheck {
  return active.length
    ? { id: "running", ok: false, severity: "error", text: `The plan is already running: ${active.map((e) => e.id).join(", ")}.` }
    : { id: "running", ok: true, severity: "success", text: "No other execution of this plan is active." };
}

export function usePreflight(planId: string) {
  return useResource(async (signal) => {
    const validation = await api.validatePlan(planId, signal);
    const executions = await api.listExecutions({ plan_id: planId, limit: 100 }, signal).catch(() => ({ items: [] as ExecutionSummary[] }));
    const active = executions.items.filter((e) => isActive(e.status));
    return [...fromValidation(validation.errors, validation.warnings), fromActive(active)];
  }, [planId]);
}
