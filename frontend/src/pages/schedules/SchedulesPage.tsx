/** Schedules: list, create, edit (with the next-run preview), delete; the selected one's runs. */
import { useState } from "react";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table, { type TableProps } from "@cloudscape-design/components/table";
import { api } from "../../api/client";
import { KIND_LABELS, type Schedule } from "../../api/schedules";
import { useResource } from "../../api/useResource";
import { ConfirmDeleteModal } from "../../components/ConfirmDeleteModal";
import { Empty } from "../../components/Empty";
import { formatTime } from "../../components/format";
import { ProblemAlert } from "../../components/ProblemAlert";
import { Status } from "../../components/Status";
import { useFlash } from "../../layout/flash";
import { Shell } from "../../layout/Shell";
import { GuardedButton } from "../../session/GuardedButton";
import { ScheduleFormModal } from "./ScheduleFormModal";
import { ScheduleRuns } from "./ScheduleRuns";

function when(s: Schedule): string {
  return s.cron ? `${s.description} (${s.timezone})` : s.description;
}

function columns(planNames: Map<string, string>): TableProps.ColumnDefinition<Schedule>[] {
  return [
    { id: "name", header: "Name", cell: (s) => s.name, isRowHeader: true },
    { id: "kind", header: "Runs", cell: (s) => KIND_LABELS[s.kind] },
    { id: "plan", header: "Plan", cell: (s) => (s.plan_id ? planNames.get(s.plan_id) ?? s.plan_id : "-") },
    { id: "when", header: "When", cell: when },
    { id: "enabled", header: "Enabled", cell: (s) => (s.enabled ? "Yes" : "No") },
    { id: "next", header: "Next run", cell: (s) => (s.next_due_at ? formatTime(s.next_due_at) : "-") },
    { id: "last", header: "Last run", cell: (s) => <Status value={s.last_run?.status} /> },
    { id: "owner", header: "Runs as", cell: (s) => s.owner.username },
  ];
}

type Dialog = "create" | "edit" | "delete" | undefined;

function SchedulesTable() {
  const list = useResource((signal) => api.listSchedules(signal), []);
  const plans = useResource((signal) => api.listPlans({ limit: 500 }, signal), []);
  const [selectedId, setSelectedId] = useState<string>();
  const [dialog, setDialog] = useState<Dialog>();
  const flash = useFlash();
  const schedule = list.data?.find((s) => s.id === selectedId);
  const planNames = new Map((plans.data?.items ?? []).map((p) => [p.id, p.name]));
  const done = (message: string, keep?: string) => {
    setDialog(undefined);
    setSelectedId(keep);
    flash.notify("success", message);
    list.reload();
  };
  const actions = (
    <SpaceBetween direction="horizontal" size="xs">
      <GuardedButton permission="schedules:write" disabled={!schedule} onClick={() => setDialog("edit")}>Edit</GuardedButton>
      <GuardedButton permission="schedules:write" disabled={!schedule} onClick={() => setDialog("delete")}>Delete</GuardedButton>
      <GuardedButton permission="schedules:write" variant="primary" onClick={() => setDialog("create")}>Create schedule</GuardedButton>
    </SpaceBetween>
  );
  return (
    <SpaceBetween size="l">
      {list.error && <ProblemAlert error={list.error} onRetry={list.reload} />}
      <Table variant="full-page" items={list.data ?? []} columnDefinitions={columns(planNames)} trackBy="id"
        loading={list.loading} loadingText="Loading schedules" selectionType="single" selectedItems={schedule ? [schedule] : []}
        onSelectionChange={({ detail }) => setSelectedId(detail.selectedItems[0]?.id)}
        ariaLabels={{ tableLabel: "Schedules", itemSelectionLabel: (_, s) => `Select ${s.name}`, selectionGroupLabel: "Schedule selection" }}
        header={<Header variant="awsui-h1-sticky" counter={`(${list.data?.length ?? 0})`} actions={actions}
          description="Drills, readiness checks and backups that run by themselves, as the person who saved them. Select one to see its runs.">Schedules</Header>}
        empty={<Empty title="No schedules" />}
      />
      {schedule && <ScheduleRuns schedule={schedule} />}
      {dialog === "create" && <ScheduleFormModal onClose={() => setDialog(undefined)} onDone={(s) => done(`Schedule ${s.name} created`, s.id)} />}
      {dialog === "edit" && schedule && <ScheduleFormModal schedule={schedule} onClose={() => setDialog(undefined)} onDone={(s) => done(`Schedule ${s.name} saved`, s.id)} />}
      {dialog === "delete" && schedule && (
        <ConfirmDeleteModal kind="schedule" name={schedule.name} note="Its run history goes with it; the audit log keeps what it did."
          remove={() => api.deleteSchedule(schedule.id, schedule.version)} onClose={() => setDialog(undefined)}
          onDeleted={() => { setDialog(undefined); setSelectedId(undefined); list.reload(); }} />
      )}
    </SpaceBetween>
  );
}

export function SchedulesPage() {
  return (
    <Shell breadcrumbs={[{ text: "Schedules", href: "/schedules" }]}>
      <SchedulesTable />
    </Shell>
  );
}
