/** Counting servers by status, a wave's or execution's progress, and clock-driven durations. */
import type { Execution, ExecutionWave } from "../../api/executions";

const DONE = new Set(["LAUNCHED", "FAILED", "SKIPPED", "CANCELLED", "TERMINATED"]);
const ENDED_WAVES = ["COMPLETED", "FAILED", "SKIPPED", "CANCELLED"];

/** Servers counted as done (ended one way or another) in a by-status count. */
export function doneCount(counts: Record<string, number> | undefined): number {
  return Object.entries(counts ?? {}).reduce((n, [status, k]) => n + (DONE.has(status) ? k : 0), 0);
}

export function waveProgress(wave: ExecutionWave): number {
  if (!wave.server_count) return ENDED_WAVES.includes(wave.status) ? 100 : 0;
  return Math.round((doneCount(wave.counts) / wave.server_count) * 100);
}

export function executionProgress(execution: Execution): number {
  if (!execution.server_count) return 0;
  return Math.round((doneCount(execution.counts) / execution.server_count) * 100);
}

/** Seconds from start to end, or to `now` while it lasts (the API sends timestamps only). */
export function elapsedSeconds(start: string | null | undefined, end: string | null | undefined, now = Date.now()): number | undefined {
  if (!start) return undefined;
  const until = end ? new Date(end).getTime() : now;
  return Math.max(0, (until - new Date(start).getTime()) / 1000);
}

/** Time paused: ended pauses plus the one lasting now, if any. */
export function pausedSeconds(timings: Execution["timings"], now = Date.now()): number {
  const lasting = timings.paused_since ? Math.max(0, (now - new Date(timings.paused_since).getTime()) / 1000) : 0;
  return timings.paused_seconds + lasting;
}
