/** The audit log (auditor, admin): every change and refusal, newest first, filtered and paged. */
import { useMemo, useState } from "react";
import Header from "@cloudscape-design/components/header";
import Pagination from "@cloudscape-design/components/pagination";
import StatusIndicator, { type StatusIndicatorProps } from "@cloudscape-design/components/status-indicator";
import Table, { type TableProps } from "@cloudscape-design/components/table";
import { api } from "../../api/client";
import type { AuditOutcome, AuditRecord } from "../../api/identity";
import { useCursorPages } from "../../api/useCursorPages";
import { useDebounced } from "../../api/useDebounced";
import { Empty } from "../../components/Empty";
import { ProblemAlert } from "../../components/ProblemAlert";
import { formatTime } from "../../components/format";
import { Shell } from "../../layout/Shell";
import { NeedsPermission } from "../../session/NeedsPermission";
import { AuditFilterBar } from "./AuditFilterBar";
import { auditQuery, NO_FILTERS } from "./auditQuery";

const PAGE_SIZE = 50;
const OUTCOME_KIND: Record<AuditOutcome, StatusIndicatorProps.Type> = {
  success: "success", denied: "stopped", refused: "warning", failed: "error",
};

const COLUMNS: TableProps.ColumnDefinition<AuditRecord>[] = [
  { id: "at", header: "When", cell: (r) => formatTime(r.at) },
  { id: "who", header: "Principal", cell: (r) => `${r.username ?? r.principal ?? "-"}${r.role ? ` (${r.role})` : ""}`, isRowHeader: true },
  { id: "action", header: "Action", cell: (r) => r.action },
  { id: "target", header: "Target", cell: (r) => [r.target_type, r.target_id].filter(Boolean).join(" ") || "-" },
  { id: "outcome", header: "Outcome", cell: (r) => <StatusIndicator type={OUTCOME_KIND[r.outcome] ?? "info"}>{r.outcome}{r.status ? ` (${r.status})` : ""}</StatusIndicator> },
  { id: "client", header: "Client", cell: (r) => r.client ?? "-" },
  { id: "request", header: "Request id", cell: (r) => r.request_id ?? "-" },
  { id: "comment", header: "Comment", cell: (r) => r.comment || "-" },
];

function AuditTable() {
  const [filters, setFilters] = useState(NO_FILTERS);
  const settled = useDebounced(filters, 300);
  // Computed once per filter change: a relative range is "until now" as of that change.
  const query = useMemo(() => auditQuery(settled), [settled]);
  const pages = useCursorPages((cursor, signal) => api.listAudit({ ...query, limit: PAGE_SIZE, cursor }, signal), JSON.stringify(query));
  return (
    <>
      {pages.error && <ProblemAlert error={pages.error} onRetry={pages.reload} />}
      <Table
        variant="full-page"
        items={pages.items}
        columnDefinitions={COLUMNS}
        trackBy="id"
        loading={pages.loading}
        loadingText="Loading audit records"
        ariaLabels={{ tableLabel: "Audit log" }}
        header={
          <Header variant="awsui-h1-sticky" counter={`(${pages.items.length}${pages.hasMore ? "+" : ""})`}
            description="Every change and every refused attempt, newest first. Nobody can edit or delete these records.">
            Audit log
          </Header>
        }
        filter={<AuditFilterBar filters={filters} onChange={setFilters} />}
        pagination={
          <Pagination currentPageIndex={pages.pageIndex + 1} pagesCount={pages.pagesCount} openEnd={pages.hasMore}
            onChange={({ detail }) => pages.setPageIndex(detail.currentPageIndex - 1)}
            ariaLabels={{ nextPageLabel: "Next page", previousPageLabel: "Previous page", pageLabel: (n) => `Page ${n}` }} />
        }
        empty={<Empty title="No audit records">Nothing matches these filters.</Empty>}
      />
    </>
  );
}

export function AuditPage() {
  return (
    <Shell breadcrumbs={[{ text: "Audit log", href: "/audit" }]}>
      <NeedsPermission permission="audit:read">
        <AuditTable />
      </NeedsPermission>
    </Shell>
  );
}
