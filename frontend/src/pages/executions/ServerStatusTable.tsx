/**
 * The execution's servers, paged by the API (wave, status and text filters applied there),
 * kept current by the stream's `servers` changes: rows on the page are patched in place,
 * and when a filter is set (a change may move a server in or out of it) the page is read
 * again, at most once a second.
 */
import { useEffect, useMemo, useRef, useState } from "react";
import Header from "@cloudscape-design/components/header";
import Multiselect, { type MultiselectProps } from "@cloudscape-design/components/multiselect";
import Pagination from "@cloudscape-design/components/pagination";
import Select, { type SelectProps } from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import TextFilter from "@cloudscape-design/components/text-filter";
import { api } from "../../api/client";
import type { Execution, ExecutionServer, ServerChanges } from "../../api/executions";
import { useCursorPages } from "../../api/useCursorPages";
import { useDebounced } from "../../api/useDebounced";
import { Empty } from "../../components/Empty";
import { ProblemAlert } from "../../components/ProblemAlert";
import { Status } from "../../components/Status";
import { formatTime } from "../../components/format";
import { LaunchSettingsTable } from "./LaunchSettingsTable";

const PAGE_SIZE = 25;
const REFETCH_MS = 1000;
const STATUSES = ["PENDING", "LAUNCHING", "LAUNCHED", "FAILED", "SKIPPED", "CANCELLED", "TERMINATED"];
const ALL_WAVES: SelectProps.Option = { value: "", label: "All waves" };

interface Props {
  execution: Execution;
  changes: ServerChanges | undefined;
  resyncs: number;
}

/** Rows of the page with the latest known state of each server laid over them. */
export function patched(items: ExecutionServer[], latest: Map<string, ExecutionServer>): ExecutionServer[] {
  return latest.size ? items.map((s) => latest.get(s.source_server_id) ?? s) : items;
}

export function ServerStatusTable({ execution, changes, resyncs }: Props) {
  const [wave, setWave] = useState<SelectProps.Option>(ALL_WAVES);
  const [statuses, setStatuses] = useState<readonly MultiselectProps.Option[]>([]);
  const [text, setText] = useState("");
  const search = useDebounced(text.trim(), 300);
  const query = { wave: wave.value || undefined, status: statuses.map((o) => o.value ?? ""), search: search || undefined };
  const pages = useCursorPages(
    (cursor, signal) => api.listRunServers(execution.id, { ...query, limit: PAGE_SIZE, cursor }, signal),
    JSON.stringify([execution.id, query]),
  );
  const latest = useLatest(pages.items, changes);
  const filtered = Boolean(query.status.length || query.search);
  useRefetch(pages.reload, resyncs, filtered ? changes : undefined);
  const items = patched(pages.items, latest);
  const waveOptions = useMemo(() => [ALL_WAVES, ...execution.waves.map((w) => ({ value: w.name, label: w.name }))], [execution.waves]);
  return (
    <SpaceBetween size="s">
      {pages.error && <ProblemAlert error={pages.error} onRetry={pages.reload} />}
      <Table
        items={items}
        loading={pages.loading && !items.length}
        loadingText="Loading servers"
        trackBy="source_server_id"
        variant="container"
        ariaLabels={{ tableLabel: "Servers of the execution" }}
        header={<Header counter={`(${execution.server_count})`}>Servers</Header>}
        columnDefinitions={[
          { id: "server", header: "Server", cell: (s) => s.hostname || s.source_server_id, isRowHeader: true },
          { id: "id", header: "Source server ID", cell: (s) => s.source_server_id },
          { id: "wave", header: "Wave", cell: (s) => s.wave },
          { id: "status", header: "Status", cell: (s) => <Status value={s.status} /> },
          { id: "launch", header: "DRS launch", cell: (s) => s.launch_status ?? "-" },
          { id: "job", header: "Job", cell: (s) => s.job_id ?? "-" },
          { id: "instance", header: "EC2 instance", cell: (s) => s.ec2_instance_id ?? "-" },
          { id: "started", header: "Started", cell: (s) => formatTime(s.started_at) },
          { id: "ended", header: "Ended", cell: (s) => formatTime(s.ended_at) },
          { id: "error", header: "Error", cell: (s) => s.error ?? "" },
        ]}
        filter={
          <SpaceBetween direction="horizontal" size="xs">
            <TextFilter filteringText={text} onChange={({ detail }) => setText(detail.filteringText)}
              filteringPlaceholder="Find servers" filteringAriaLabel="Find servers of the execution" />
            <Select selectedOption={wave} options={waveOptions} onChange={({ detail }) => setWave(detail.selectedOption)}
              ariaLabel="Filter by wave" />
            <Multiselect selectedOptions={statuses} options={STATUSES.map((s) => ({ value: s, label: s }))}
              onChange={({ detail }) => setStatuses(detail.selectedOptions)} placeholder="Any status"
              ariaLabel="Filter by status" hideTokens={false} />
          </SpaceBetween>
        }
        pagination={
          <Pagination
            currentPageIndex={pages.pageIndex + 1}
            pagesCount={pages.pagesCount}
            openEnd={pages.hasMore}
            onChange={({ detail }) => pages.setPageIndex(detail.currentPageIndex - 1)}
            ariaLabels={{ nextPageLabel: "Next page", previousPageLabel: "Previous page", pageLabel: (n) => `Page ${n}` }}
          />
        }
        empty={<Empty title="No servers">{filtered || query.wave ? "No server matches the filter." : undefined}</Empty>}
      />
      <LaunchSettingsTable servers={items} />
    </SpaceBetween>
  );
}

/** The newest state the stream sent of each server on the page (cleared when the page is read). */
function useLatest(items: ExecutionServer[], changes: ServerChanges | undefined): Map<string, ExecutionServer> {
  const [latest, setLatest] = useState(() => new Map<string, ExecutionServer>());
  const shown = useRef(items);
  shown.current = items;
  // A page just read is at least as new as the changes before it.
  useEffect(() => setLatest((known) => (known.size ? new Map() : known)), [items]);
  useEffect(() => {
    if (!changes) return;
    const ids = new Set(shown.current.map((s) => s.source_server_id));
    const mine = changes.items.filter((s) => ids.has(s.source_server_id));
    if (!mine.length) return;
    setLatest((known) => {
      const next = new Map(known);
      mine.forEach((s) => next.set(s.source_server_id, s));
      return next;
    });
  }, [changes]);
  return latest;
}

/** Read the page again at once after a resync, and at most once a second while changes come. */
function useRefetch(reload: () => void, resyncs: number, changes: ServerChanges | undefined) {
  const first = useRef(resyncs);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const reloadRef = useRef(reload);
  reloadRef.current = reload;
  useEffect(() => {
    if (resyncs !== first.current) reloadRef.current();
  }, [resyncs]);
  useEffect(() => {
    if (!changes || timer.current) return;
    timer.current = setTimeout(() => { timer.current = undefined; reloadRef.current(); }, REFETCH_MS);
  }, [changes]);
  useEffect(() => () => { if (timer.current) clearTimeout(timer.current); }, []);
}
