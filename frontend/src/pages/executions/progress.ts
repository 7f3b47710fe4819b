/** Counting servers by status, and a wave's or execution's progress. */
import type { Execution, ExecutionServer, ExecutionWave } from "../../api/executions";

const DONE = new Set(["LAUNCHED", "FAILED", "SKIPPED", "CANCELLED", "TERMINATED"]);

export function countByStatus(servers: ExecutionServer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of servers) counts[s.status] = (counts[s.status] ?? 0) + 1;
  return counts;
}

export function doneCount(servers: ExecutionServer[]): number {
  return servers.filter((s) => DONE.has(s.status)).length;
}

export function waveProgress(wave: ExecutionWave): number {
  if (!wave.servers.length) return ["COMPLETED", "FAILED", "SKIPPED", "CANCELLED"].includes(wave.status) ? 100 : 0;
  return Math.round((doneCount(wave.servers) / wave.servers.length) * 100);
}

export function allServers(execution: Execution): (ExecutionServer & { wave: string })[] {
  return execution.waves.flatMap((w) => w.servers.map((s) => ({ ...s, wave: w.name })));
}

export function executionProgress(execution: Execution): number {
  const servers = execution.waves.flatMap((w) => w.servers);
  if (!servers.length) return 0;
  return Math.round((doneCount(servers) / servers.length) * 100);
}
