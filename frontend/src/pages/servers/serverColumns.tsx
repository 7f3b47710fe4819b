/** Columns of the source-server table and their preference labels. */
import type { TableProps } from "@cloudscape-design/components/table";
import type { SourceServer } from "../../api/types";
import { RouterLink } from "../../components/RouterLink";
import { Status } from "../../components/Status";
import { formatTags, formatTime } from "../../components/format";

/** The group holding a server, linked to the group's page, or a dash when none does. */
function GroupCell({ server }: { server: SourceServer }) {
  if (!server.group_id) return <>—</>;
  return <RouterLink href={`/groups/${server.group_id}/edit`}>{server.group_name ?? server.group_id}</RouterLink>;
}

export const SERVER_COLUMNS: TableProps.ColumnDefinition<SourceServer>[] = [
  { id: "hostname", header: "Hostname", cell: (s) => s.hostname || "-", isRowHeader: true },
  { id: "id", header: "Source server ID", cell: (s) => s.id },
  { id: "account_id", header: "Account", cell: (s) => s.account_id },
  { id: "region", header: "Region", cell: (s) => s.region },
  { id: "os", header: "OS", cell: (s) => s.os },
  {
    id: "replication_state",
    header: "Replication",
    cell: (s) => <Status value={s.replication_state} />,
  },
  {
    id: "lag",
    header: "Lag",
    cell: (s) => (s.lag_seconds == null ? "-" : `${Math.round(s.lag_seconds)} s`),
  },
  { id: "group", header: "Protection group", cell: (s) => <GroupCell server={s} /> },
  { id: "tags", header: "Tags", cell: (s) => formatTags(s.tags) || "-" },
  { id: "last_launch_result", header: "Last launch", cell: (s) => <Status value={s.last_launch_result} /> },
  { id: "synced_at", header: "Synced", cell: (s) => formatTime(s.synced_at) },
];

export const DEFAULT_VISIBLE = ["hostname", "id", "account_id", "region", "replication_state", "group", "tags"];
