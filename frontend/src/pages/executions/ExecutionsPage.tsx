/** Executions: newest first, filtered by plan, status and type on the server. */
import { useEffect, useState } from "react";
import Header from "@cloudscape-design/components/header";
import Pagination from "@cloudscape-design/components/pagination";
import Select, { type SelectProps } from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { api } from "../../api/client";
import { isActive } from "../../api/executions";
import { useCursorPages } from "../../api/useCursorPages";
import { useResource } from "../../api/useResource";
import { Empty } from "../../components/Empty";
import { ProblemAlert } from "../../components/ProblemAlert";
import { RouterLink } from "../../components/RouterLink";
import { Status } from "../../components/Status";
import { formatTime } from "../../components/format";
import { Shell } from "../../layout/Shell";

const ANY: SelectProps.Option = { value: "", label: "Any" };
const STATUSES = ["PENDING", "RUNNING", "PAUSED", "CANCELLING", "COMPLETED", "PARTIAL", "FAILED", "CANCELLED"];

function Filter({ label, value, options, onChange }: { label: string; value: SelectProps.Option; options: SelectProps.Option[]; onChange: (o: SelectProps.Option) => void }) {
  return (
    <Select
      selectedOption={value}
      options={[ANY, ...options]}
      onChange={({ detail }) => onChange(detail.selectedOption)}
      inlineLabelText={label}
      ariaLabel={`Filter by ${label.toLowerCase()}`}
    />
  );
}

export function ExecutionsPage() {
  const [plan, setPlan] = useState<SelectProps.Option>(ANY);
  const [status, setStatus] = useState<SelectProps.Option>(ANY);
  const [type, setType] = useState<SelectProps.Option>(ANY);
  const plans = useResource((signal) => api.listPlans({ limit: 500 }, signal), []);
  const query = { plan_id: plan.value, status: status.value, type: type.value };
  const pages = useCursorPages((cursor, signal) => api.listExecutions({ ...query, cursor, limit: 50 }, signal), JSON.stringify(query));
  const anyActive = pages.items.some((e) => isActive(e.status) || e.cleanup_status === "IN_PROGRESS");
  const { reload } = pages;
  // Refresh the page of executions while some of them still move.
  useEffect(() => {
    if (!anyActive) return;
    const timer = setInterval(reload, 5000);
    return () => clearInterval(timer);
  }, [anyActive, reload]);
  return (
    <Shell breadcrumbs={[{ text: "Executions", href: "/executions" }]}>
      {pages.error && <ProblemAlert error={pages.error} onRetry={pages.reload} />}
      <Table
        variant="full-page"
        items={pages.items}
        trackBy="id"
        loading={pages.loading && pages.items.length === 0}
        loadingText="Loading executions"
        ariaLabels={{ tableLabel: "Executions" }}
        header={<Header variant="awsui-h1-sticky" counter={`(${pages.items.length}${pages.hasMore ? "+" : ""})`}>Executions</Header>}
        filter={
          <SpaceBetween direction="horizontal" size="s">
            <Filter label="Plan" value={plan} onChange={setPlan} options={(plans.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }))} />
            <Filter label="Status" value={status} onChange={setStatus} options={STATUSES.map((s) => ({ value: s, label: s }))} />
            <Filter label="Type" value={type} onChange={setType} options={["DRILL", "RECOVERY"].map((s) => ({ value: s, label: s }))} />
          </SpaceBetween>
        }
        columnDefinitions={[
          { id: "id", header: "Execution", cell: (e) => <RouterLink href={`/executions/${e.id}`}>{e.id}</RouterLink>, isRowHeader: true },
          { id: "plan", header: "Plan", cell: (e) => e.plan_name ?? e.plan_id },
          { id: "type", header: "Type", cell: (e) => e.type },
          { id: "status", header: "Status", cell: (e) => <Status value={e.status} /> },
          { id: "cleanup", header: "Cleanup", cell: (e) => <Status value={e.cleanup_status} /> },
          { id: "servers", header: "Servers", cell: (e) => e.servers ?? "-" },
          { id: "created", header: "Started", cell: (e) => formatTime(e.created_at) },
          { id: "ended", header: "Ended", cell: (e) => formatTime(e.ended_at) },
        ]}
        pagination={
          <Pagination currentPageIndex={pages.pageIndex + 1} pagesCount={pages.pagesCount} openEnd={pages.hasMore}
            onChange={({ detail }) => pages.setPageIndex(detail.currentPageIndex - 1)} />
        }
        empty={<Empty title="No executions">Start a drill from a recovery plan.</Empty>}
      />
    </Shell>
  );
}
