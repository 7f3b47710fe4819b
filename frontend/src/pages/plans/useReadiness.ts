/** The latest readiness run of each plan (empty if that API is absent or refuses). */
import { readinessApi, type ReadinessRun } from "../../api/readiness";
import { useResource } from "../../api/useResource";

export function useReadiness(): Map<string, ReadinessRun> {
  const overview = useResource(
    (signal) => readinessApi.overview(signal).catch(() => ({ items: [] as ReadinessRun[], not_ready: 0 })),
    [],
  );
  return new Map((overview.data?.items ?? []).map((run) => [run.plan_id, run]));
}
