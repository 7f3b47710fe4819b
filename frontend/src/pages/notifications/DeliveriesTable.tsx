/** Delivery history, newest first, with every attempt of the selected delivery below. */
import { useState } from "react";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import Pagination from "@cloudscape-design/components/pagination";
import Select from "@cloudscape-design/components/select";
import StatusIndicator, { type StatusIndicatorProps } from "@cloudscape-design/components/status-indicator";
import Table, { type TableProps } from "@cloudscape-design/components/table";
import { api } from "../../api/client";
import type { Attempt, Delivery } from "../../api/notifications";
import { useCursorPages } from "../../api/useCursorPages";
import { Empty } from "../../components/Empty";
import { ProblemAlert } from "../../components/ProblemAlert";
import { formatTime } from "../../components/format";

const PAGE_SIZE = 50;
const KIND: Record<string, StatusIndicatorProps.Type> = {
  PENDING: "pending", RETRYING: "warning", DELIVERED: "success", FAILED: "error",
};
const STATUS_OPTIONS = [
  { value: "", label: "Any status" },
  ...["PENDING", "RETRYING", "DELIVERED", "FAILED"].map((value) => ({ value, label: value })),
];

export function DeliveryStatus({ status }: { status: string }) {
  return <StatusIndicator type={KIND[status] ?? "info"}>{status}</StatusIndicator>;
}

function lastError(d: Delivery): string {
  const last = d.attempts[d.attempts.length - 1];
  return last && !last.ok ? last.error ?? "failed" : "-";
}

const COLUMNS: TableProps.ColumnDefinition<Delivery>[] = [
  { id: "created", header: "Raised", cell: (d) => formatTime(d.created_at) },
  { id: "kind", header: "Event", cell: (d) => d.kind, isRowHeader: true },
  { id: "title", header: "Title", cell: (d) => d.title },
  { id: "channel", header: "Channel", cell: (d) => `${d.channel_name} (${d.channel_type})` },
  { id: "status", header: "Status", cell: (d) => <DeliveryStatus status={d.status} /> },
  { id: "tries", header: "Attempts", cell: (d) => d.attempts.length },
  { id: "error", header: "Last error", cell: lastError },
];

const ATTEMPT_COLUMNS: TableProps.ColumnDefinition<Attempt>[] = [
  { id: "n", header: "#", cell: (a) => a.n, isRowHeader: true },
  { id: "at", header: "At", cell: (a) => formatTime(a.at) },
  { id: "ok", header: "Result", cell: (a) => <StatusIndicator type={a.ok ? "success" : "error"}>{a.ok ? "Delivered" : "Failed"}</StatusIndicator> },
  { id: "code", header: "Code", cell: (a) => a.status_code ?? "-" },
  { id: "error", header: "Error", cell: (a) => a.error ?? "-" },
  { id: "ms", header: "Took", cell: (a) => `${a.duration_ms ?? 0} ms` },
];

export function Attempts({ delivery }: { delivery: Delivery }) {
  const next = delivery.next_attempt_at ? ` Next attempt ${formatTime(delivery.next_attempt_at)}.` : "";
  return (
    <Container header={<Header variant="h2" description={`${delivery.text}${next}`}>Attempts of {delivery.id}</Header>}>
      <Table variant="embedded" items={delivery.attempts} columnDefinitions={ATTEMPT_COLUMNS} trackBy="n"
        ariaLabels={{ tableLabel: "Attempts" }} empty={<Empty title="No attempt yet" />} />
    </Container>
  );
}

export function DeliveriesTable({ reloadKey }: { reloadKey: number }) {
  const [status, setStatus] = useState("");
  const [selectedId, setSelectedId] = useState<string>();
  const key = `${status}:${reloadKey}`;
  const pages = useCursorPages((cursor, signal) => api.listDeliveries({ status: status || undefined, limit: PAGE_SIZE, cursor }, signal), key);
  const selected = pages.items.find((d) => d.id === selectedId);
  return (
    <>
      {pages.error && <ProblemAlert error={pages.error} onRetry={pages.reload} />}
      <Table items={pages.items} columnDefinitions={COLUMNS} trackBy="id" loading={pages.loading} loadingText="Loading notifications"
        selectionType="single" selectedItems={selected ? [selected] : []}
        onSelectionChange={({ detail }) => setSelectedId(detail.selectedItems[0]?.id)}
        ariaLabels={{ tableLabel: "Delivery history", itemSelectionLabel: (_, d) => `Select ${d.id}`, selectionGroupLabel: "Delivery selection" }}
        header={<Header counter={`(${pages.items.length}${pages.hasMore ? "+" : ""})`}
          description="Every notification drorch queued, newest first. Select one to see its attempts.">Delivery history</Header>}
        filter={<Select selectedOption={STATUS_OPTIONS.find((o) => o.value === status) ?? null} options={STATUS_OPTIONS}
          ariaLabel="Status filter" onChange={({ detail }) => setStatus(detail.selectedOption.value ?? "")} />}
        pagination={<Pagination currentPageIndex={pages.pageIndex + 1} pagesCount={pages.pagesCount} openEnd={pages.hasMore}
          onChange={({ detail }) => pages.setPageIndex(detail.currentPageIndex - 1)}
          ariaLabels={{ nextPageLabel: "Next page", previousPageLabel: "Previous page", pageLabel: (n) => `Page ${n}` }} />}
        empty={<Empty title="No notifications">Nothing was sent yet, or nothing matches.</Empty>}
      />
      {selected && <Attempts delivery={selected} />}
    </>
  );
}
