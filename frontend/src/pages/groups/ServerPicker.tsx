/** Pick source servers explicitly, among those of the group's account and Region. */
import { useCollection } from "@cloudscape-design/collection-hooks";
import Pagination from "@cloudscape-design/components/pagination";
import Table from "@cloudscape-design/components/table";
import TextFilter from "@cloudscape-design/components/text-filter";
import Header from "@cloudscape-design/components/header";
import { api } from "../../api/client";
import { useResource } from "../../api/useResource";
import type { SourceServer } from "../../api/types";
import { Empty } from "../../components/Empty";
import { ProblemAlert } from "../../components/ProblemAlert";
import { Status } from "../../components/Status";
import { formatTags } from "../../components/format";

interface Props {
  accountId: string;
  region: string;
  selectedIds: string[];
  onChange: (ids: string[]) => void;
}

export function ServerPicker({ accountId, region, selectedIds, onChange }: Props) {
  const scoped = /^[0-9]{12}$/.test(accountId) && region.length > 0;
  const servers = useResource(
    (signal) =>
      scoped
        ? api.listServers({ account_id: accountId, region, limit: 500 }, signal)
        : Promise.resolve({ items: [] as SourceServer[] }),
    [accountId, region, scoped],
  );
  const { items, collectionProps, filterProps, paginationProps, filteredItemsCount } = useCollection(
    servers.data?.items ?? [],
    {
      filtering: {
        filteringFunction: (s, text) =>
          `${s.hostname} ${s.id} ${formatTags(s.tags)}`.toLowerCase().includes(text.toLowerCase()),
      },
      pagination: { pageSize: 10 },
      sorting: {},
    },
  );
  const selected = (servers.data?.items ?? []).filter((s) => selectedIds.includes(s.id));
  if (servers.error) return <ProblemAlert error={servers.error} onRetry={servers.reload} />;
  return (
    <Table
      {...collectionProps}
      items={items}
      trackBy="id"
      selectionType="multi"
      selectedItems={selected}
      onSelectionChange={({ detail }) => onChange(detail.selectedItems.map((s) => s.id))}
      loading={servers.loading}
      loadingText="Loading servers"
      variant="embedded"
      ariaLabels={{
        tableLabel: "Servers to pick",
        selectionGroupLabel: "Server selection",
        allItemsSelectionLabel: () => "Select all servers on this page",
        itemSelectionLabel: (_, s) => `Select ${s.hostname || s.id}`,
      }}
      header={<Header counter={`(${selectedIds.length} selected)`}>Servers in {accountId || "?"} / {region || "?"}</Header>}
      columnDefinitions={[
        { id: "hostname", header: "Hostname", cell: (s) => s.hostname || "-", sortingField: "hostname" },
        { id: "id", header: "Source server ID", cell: (s) => s.id },
        { id: "state", header: "Replication", cell: (s) => <Status value={s.replication_state} /> },
        { id: "tags", header: "Tags", cell: (s) => formatTags(s.tags) || "-" },
      ]}
      filter={
        <TextFilter
          {...filterProps}
          filteringPlaceholder="Find servers"
          filteringAriaLabel="Find servers"
          countText={`${filteredItemsCount ?? 0} matches`}
        />
      }
      pagination={<Pagination {...paginationProps} />}
      empty={
        <Empty title="No servers">
          {scoped ? "No server of the inventory is in this account and Region." : "Enter the account and Region first."}
        </Empty>
      }
    />
  );
}
