/**
 * Preflight before starting: the plan's validation, plus the server's own preflight of exactly
 * this start (type, waves, allow_unhealthy). The server runs every check a start runs and
 * writes nothing, so its reasons are those a start would be refused with; it is asked again,
 * debounced, whenever the operator's choice changes.
 */
import { api } from "../../api/client";
import type { ExecutionPreflight, ExecutionStart, ExecutionType } from "../../api/executions";
import type { ApiError } from "../../api/problem";
import { useDebounced } from "../../api/useDebounced";
import { useResource } from "../../api/useResource";
import type { PlanValidation } from "../../api/types";

/** How long the choice must stay unchanged before the server is asked again. */
export const PREFLIGHT_DEBOUNCE_MS = 300;

export interface PreflightCheck {
  id: string;
  ok: boolean;
  severity: "error" | "warning" | "success";
  text: string;
}

export interface Preflight {
  checks: PreflightCheck[] | undefined;
  /** A start with the current choice would be refused. */
  blocked: boolean;
  /** Checks are running, or the choice changed and the server has not been asked yet. */
  loading: boolean;
  error: ApiError | undefined;
  reload: () => void;
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

/** The body of a start (and of its preflight): no `waves` means the whole plan. */
export function startBody(
  planId: string,
  type: ExecutionType,
  waves: string[],
  allowUnhealthy: boolean,
  cleanupAfter?: number | "keep",
): ExecutionStart {
  // A recovery has no cleanup; undefined keeps the plan's own hold.
  const cleanup = type === "DRILL" && cleanupAfter !== undefined ? { cleanup_after_minutes: cleanupAfter } : {};
  return { plan_id: planId, type, waves: waves.length ? waves : undefined, allow_unhealthy: allowUnhealthy, ...cleanup };
}

function reportedServers(report: ExecutionPreflight): Set<string> {
  const found = [...report.reasons, ...report.warnings];
  return new Set(found.map((f) => f.source_server_id).filter((id): id is string => !!id));
}

function fromValidation(validation: PlanValidation, report: ExecutionPreflight): PreflightCheck[] {
  const checks: PreflightCheck[] = validation.errors.map((e, i) => ({ id: `err-${i}`, ok: false, severity: "error", text: e.message }));
  // A server the server's preflight reports is shown once, as the preflight says it.
  const reported = reportedServers(report);
  validation.warnings
    .filter((w) => !reported.has(w.path.split(".servers.")[1] ?? ""))
    .forEach((w, i) => checks.push({ id: `warn-${i}`, ok: true, severity: "warning", text: w.message }));
  if (!validation.errors.length) checks.unshift({ id: "valid", ok: true, severity: "success", text: "The plan is valid." });
  return checks;
}

function readyText(report: ExecutionPreflight): string {
  const jobs = report.waves.reduce((sum, w) => sum + w.job_count, 0);
  return `Ready to start: ${report.server_count} server(s) in ${report.waves.length} wave(s), ${jobs} DRS job(s).`;
}

function fromServer(report: ExecutionPreflight): PreflightCheck[] {
  const running = report.reasons.filter((r) => r.reason === "plan-running");
  // Plan errors are already listed, from the plan's validation.
  const blockers = report.reasons.filter((r) => r.reason !== "plan-running" && r.reason !== "plan-invalid");
  const checks: PreflightCheck[] = running.length
    ? running.map((r, i) => ({ id: `running-${i}`, ok: false, severity: "error", text: r.message }))
    : [{ id: "running", ok: true, severity: "success", text: "No other execution of this plan is active." }];
  blockers.forEach((r, i) => checks.push({ id: `blocker-${i}`, ok: false, severity: "error", text: r.message }));
  report.warnings.forEach((w, i) => checks.push({ id: `notice-${i}`, ok: true, severity: "warning", text: w.message }));
  if (report.ok) checks.push({ id: "ready", ok: true, severity: "success", text: readyText(report) });
  return checks;
}

export function usePreflight(body: ExecutionStart): Preflight {
  // A string key keeps the debounce and the reload keyed on the choice, not on object identity.
  const key = JSON.stringify(body);
  const settled = useDebounced(key, PREFLIGHT_DEBOUNCE_MS);
  const validation = useResource((signal) => api.validatePlan(body.plan_id, signal), [body.plan_id]);
  const server = useResource((signal) => api.preflightExecution(JSON.parse(settled) as ExecutionStart, signal), [settled]);
  const checks = validation.data && server.data ? [...fromValidation(validation.data, server.data), ...fromServer(server.data)] : undefined;
  return {
    checks,
    blocked: server.data?.ok === false || !!checks?.some((c) => !c.ok),
    loading: validation.loading || server.loading || key !== settled,
    error: validation.error ?? server.error,
    reload: () => {
      validation.reload();
      server.reload();
    },
  };
}
