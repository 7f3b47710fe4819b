/** The servers a selection picks now; servers another group holds are flagged. */
import Table from "@cloudscape-design/components/table";
import Header from "@cloudscape-design/components/header";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import type { SelectionConflict, SourceServer } from "../../api/types";
import { Empty } from "../../components/Empty";
import { Status } from "../../components/Status";
import { formatTags } from "../../components/format";

interface Props {
  servers: SourceServer[];
  conflicts: SelectionConflict[];
  loading: boolean;
  ready: boolean;
}

export function PreviewTable({ servers, conflicts, loading, ready }: Props) {
  const heldBy = new Map(conflicts.map((c) => [c.source_server_id, c]));
  return (
    <Table
      items={servers}
      trackBy="id"
      variant="embedded"
      loading={loading}
      loadingText="Resolving the selection"
      ariaLabels={{ tableLabel: "Matching servers" }}
      header={
        <Header
          variant="h3"
          counter={`(${servers.length})`}
          description={
            conflicts.length
              ? `${conflicts.length} server(s) already belong to another group and must be removed from the selection.`
              : "Servers the selection picks in the group's account and Region."
          }
        >
          Matching servers
        </Header>
      }
      columnDefinitions={[
        { id: "hostname", header: "Hostname", cell: (s) => s.hostname || "-" },
        { id: "id", header: "Source server ID", cell: (s) => s.id },
        { id: "state", header: "Replication", cell: (s) => <Status value={s.replication_state} /> },
        { id: "tags", header: "Tags", cell: (s) => formatTags(s.tags) || "-" },
        {
          id: "membership",
          header: "Membership",
          cell: (s) => {
            const conflict = heldBy.get(s.id);
            return conflict ? (
              <StatusIndicator type="error">Held by group {conflict.group_name}</StatusIndicator>
            ) : (
              <StatusIndicator type="success">Available</StatusIndicator>
            );
          },
        },
      ]}
      empty={
        <Empty title={ready ? "No server matches" : "Nothing to preview yet"}>
          {ready ? "Change the tags or pick servers." : "Enter the account, Region and a selection."}
        </Empty>
      }
    />
  );
}
