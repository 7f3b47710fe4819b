/** One schedule's run history, newest first: what happened at each due time, and why. */
import Header from "@cloudscape-design/components/header";
import Link from "@cloudscape-design/components/link";
import Table, { type TableProps } from "@cloudscape-design/components/table";
import { api } from "../../api/client";
import type { Schedule, ScheduleRun } from "../../api/schedules";
import { useResource } from "../../api/useResource";
import { Empty } from "../../components/Empty";
import { formatTime } from "../../components/format";
import { ProblemAlert } from "../../components/ProblemAlert";
import { Status } from "../../components/Status";

function reasons(run: ScheduleRun): string {
  const listed = (run.reasons ?? []).map((r) => String(r.message ?? r.reason ?? "")).filter(Boolean);
  return listed.length ? listed.join("; ") : run.message;
}

const COLUMNS: TableProps.ColumnDefinition<ScheduleRun>[] = [
  { id: "due", header: "Due", cell: (r) => formatTime(r.due_at), isRowHeader: true },
  { id: "status", header: "Outcome", cell: (r) => <Status value={r.status} /> },
  { id: "late", header: "Late", cell: (r) => (r.late ? `late${r.missed ? `, stood for ${r.missed + 1} runs` : ""}` : "-") },
  {
    id: "execution", header: "Execution",
    cell: (r) => (r.execution_id ? <Link href={`/executions/${r.execution_id}`}>{r.execution_id}</Link> : "-"),
  },
  { id: "detail", header: "Detail", cell: reasons },
];

export function ScheduleRuns({ schedule }: { schedule: Schedule }) {
  const runs = useResource((signal) => api.listScheduleRuns(schedule.id, signal), [schedule.id, schedule.last_run?.id]);
  return (
    <>
      {runs.error && <ProblemAlert error={runs.error} onRetry={runs.reload} />}
      <Table items={runs.data?.items ?? []} columnDefinitions={COLUMNS} trackBy="id" loading={runs.loading}
        loadingText="Loading runs" ariaLabels={{ tableLabel: "Runs" }} variant="container"
        header={<Header counter={`(${runs.data?.items.length ?? 0})`} description="Newest first. Skipped runs say why.">Runs of {schedule.name}</Header>}
        empty={<Empty title="No runs yet" />} />
    </>
  );
}
