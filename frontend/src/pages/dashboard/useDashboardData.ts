/** What the dashboard shows, read from the list endpoints. */
import { api } from "../../api/client";
import { isActive, type Execution, type ExecutionSummary } from "../../api/executions";
import { useResource } from "../../api/useResource";

const MAX_SERVER_PAGES = 20;

/** Servers per replication state, over the whole inventory (paged, bounded). */
export function useReplicationCounts() {
  return useResource(async (signal) => {
    const counts: Record<string, number> = {};
    let cursor: string | undefined;
    for (let page = 0; page < MAX_SERVER_PAGES; page += 1) {
      const result = await api.listServers({ limit: 500, cursor }, signal);
      for (const s of result.items) counts[s.replication_state] = (counts[s.replication_state] ?? 0) + 1;
      cursor = result.next_cursor ?? undefined;
      if (!cursor) break;
    }
    return counts;
  }, []);
}

export interface ExecutionsOverview {
  available: boolean;
  recent: ExecutionSummary[];
  active: Execution[];
}

/** Recent executions and the details of the active ones (for their progress). */
export function useExecutionsOverview() {
  return useResource<ExecutionsOverview>(async (signal) => {
    let recent: ExecutionSummary[];
    try {
      recent = (await api.listExecutions({ limit: 200 }, signal)).items;
    } catch {
      return { available: false, recent: [], active: [] };
    }
    const activeIds = recent.filter((e) => isActive(e.status)).slice(0, 10).map((e) => e.id);
    const active = await Promise.all(activeIds.map((id) => api.getExecution(id, signal)));
    return { available: true, recent, active };
  }, []);
}
