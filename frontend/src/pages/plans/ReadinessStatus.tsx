/** A plan's readiness as a status indicator: ready, or not ready with how many checks fail. */
import type { ReadinessRun } from "../../api/readiness";
import { Status } from "../../components/Status";

export function ReadinessStatus({ run }: { run: ReadinessRun | undefined }) {
  if (!run) return <>Never checked</>;
  const label = run.status === "READY" ? "Ready" : `Not ready (${run.error_count} failing)`;
  return <Status value={run.status} label={label} />;
}
