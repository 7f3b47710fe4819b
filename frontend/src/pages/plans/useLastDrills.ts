/** The latest drill of each plan, from the executions list (empty if that API is absent). */
import { api } from "../../api/client";
import type { ExecutionSummary } from "../../api/executions";
import { useResource } from "../../api/useResource";

export function useLastDrills(): Map<string, ExecutionSummary> {
  const drills = useResource(
    (signal) => api.listExecutions({ type: "DRILL", limit: 500 }, signal).catch(() => ({ items: [] as ExecutionSummary[] })),
    [],
  );
  const latest = new Map<string, ExecutionSummary>();
  for (const e of drills.data?.items ?? []) {
    const seen = latest.get(e.plan_id);
    if (!seen || seen.created_at < e.created_at) latest.set(e.plan_id, e);
  }
  return latest;
}
