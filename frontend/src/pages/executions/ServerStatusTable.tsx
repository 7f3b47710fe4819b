/** Every server of the execution with its status, DRS job and instance ids. */
import { useCollection } from "@cloudscape-design/collection-hooks";
import Header from "@cloudscape-design/components/header";
import Pagination from "@cloudscape-design/components/pagination";
import Table from "@cloudscape-design/components/table";
import TextFilter from "@cloudscape-design/components/text-filter";
import type { Execution } from "../../api/executions";
import { Empty } from "../../components/Empty";
import { Status } from "../../components/Status";
import { formatTime } from "../../components/format";
import { allServers } from "./progress";

export function ServerStatusTable({ execution }: { execution: Execution }) {
  const servers = allServers(execution);
  const { items, collectionProps, filterProps, paginationProps, filteredItemsCount } = useCollection(servers, {
    filtering: {
      filteringFunction: (s, text) =>
        [s.source_server_id, s.hostname, s.wave, s.status, s.job_id, s.ec2_instance_id].join(" ").toLowerCase().includes(text.toLowerCase()),
    },
    pagination: { pageSize: 25 },
    sorting: {},
  });
  return (
    <Table
      {...collectionProps}
      items={items}
      trackBy="source_server_id"
      variant="container"
      ariaLabels={{ tableLabel: "Servers of the execution" }}
      header={<Header counter={`(${servers.length})`}>Servers</Header>}
      columnDefinitions={[
        { id: "server", header: "Server", cell: (s) => s.hostname || s.source_server_id, sortingField: "hostname", isRowHeader: true },
        { id: "id", header: "Source server ID", cell: (s) => s.source_server_id },
        { id: "wave", header: "Wave", cell: (s) => s.wave, sortingField: "wave" },
        { id: "status", header: "Status", cell: (s) => <Status value={s.status} />, sortingField: "status" },
        { id: "launch", header: "DRS launch", cell: (s) => s.launch_status ?? "-" },
        { id: "job", header: "Job", cell: (s) => s.job_id ?? "-" },
        { id: "instance", header: "EC2 instance", cell: (s) => s.ec2_instance_id ?? "-" },
        { id: "started", header: "Started", cell: (s) => formatTime(s.started_at) },
        { id: "ended", header: "Ended", cell: (s) => formatTime(s.ended_at) },
        { id: "error", header: "Error", cell: (s) => s.error ?? "" },
      ]}
      filter={
        <TextFilter {...filterProps} filteringPlaceholder="Find servers" filteringAriaLabel="Find servers of the execution"
          countText={`${filteredItemsCount ?? 0} matches`} />
      }
      pagination={<Pagination {...paginationProps} />}
      empty={<Empty title="No servers" />}
    />
  );
}
