/** The execution's timeline, newest first. */
import { useCollection } from "@cloudscape-design/collection-hooks";
import Header from "@cloudscape-design/components/header";
import Pagination from "@cloudscape-design/components/pagination";
import Table from "@cloudscape-design/components/table";
import TextFilter from "@cloudscape-design/components/text-filter";
import type { ExecutionEvent } from "../../api/executions";
import { Empty } from "../../components/Empty";
import { formatTime } from "../../components/format";

export function EventLog({ events }: { events: ExecutionEvent[] }) {
  const newest = [...events].reverse();
  const { items, collectionProps, filterProps, paginationProps } = useCollection(newest, {
    filtering: {
      filteringFunction: (e, text) => [e.kind, e.message, e.actor, e.wave, e.source_server_id].join(" ").toLowerCase().includes(text.toLowerCase()),
    },
    pagination: { pageSize: 25 },
  });
  return (
    <Table
      {...collectionProps}
      items={items}
      trackBy="seq"
      variant="container"
      ariaLabels={{ tableLabel: "Event log" }}
      header={<Header counter={`(${events.length})`}>Event log</Header>}
      columnDefinitions={[
        { id: "at", header: "Time", cell: (e) => formatTime(e.at) },
        { id: "actor", header: "Who", cell: (e) => e.actor },
        { id: "kind", header: "What", cell: (e) => e.kind },
        { id: "message", header: "Message", cell: (e) => e.message, isRowHeader: true },
        { id: "wave", header: "Wave", cell: (e) => e.wave ?? "-" },
      ]}
      filter={<TextFilter {...filterProps} filteringPlaceholder="Find events" filteringAriaLabel="Find events" />}
      pagination={<Pagination {...paginationProps} />}
      empty={<Empty title="No events yet" />}
    />
  );
}
