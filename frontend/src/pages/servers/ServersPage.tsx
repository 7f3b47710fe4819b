/** Source servers: the cached DRS inventory with server-side filters and a sync button. */
import { useState } from "react";
import Header from "@cloudscape-design/components/header";
import Pagination from "@cloudscape-design/components/pagination";
import PropertyFilter, {
  type PropertyFilterProps,
} from "@cloudscape-design/components/property-filter";
import Table from "@cloudscape-design/components/table";
import type { CollectionPreferencesProps } from "@cloudscape-design/components/collection-preferences";
import { api } from "../../api/client";
import { useCursorPages } from "../../api/useCursorPages";
import { useResource } from "../../api/useResource";
import { Empty } from "../../components/Empty";
import { ProblemAlert } from "../../components/ProblemAlert";
import { useFlash } from "../../layout/flash";
import { GuardedButton } from "../../session/GuardedButton";
import { Shell } from "../../layout/Shell";
import { DEFAULT_VISIBLE, SERVER_COLUMNS } from "./serverColumns";
import { FILTER_PROPERTIES, REPLICATION_STATES, filterToQuery } from "./serverFilter";
import { ServerPreferences } from "./ServerPreferences";

const EMPTY_QUERY: PropertyFilterProps.Query = { tokens: [], operation: "and" };

function useFilterOptions(): PropertyFilterProps.FilteringOption[] {
  const groups = useResource((signal) => api.listGroups({ limit: 500 }, signal), []);
  const states = REPLICATION_STATES.map((value) => ({ propertyKey: "replication_state", value }));
  const groupOptions = (groups.data?.items ?? []).map((g) => ({
    propertyKey: "group_id",
    value: g.id,
    label: g.name,
  }));
  const assigned = ["true", "false"].map((value) => ({ propertyKey: "assigned", value }));
  return [...states, ...groupOptions, ...assigned];
}

function SyncButton({ onDone }: { onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const flash = useFlash();
  const sync = async () => {
    setBusy(true);
    try {
      const result = await api.syncServers();
      const skipped = result.skipped.length ? `, ${result.skipped.length} skipped` : "";
      flash.notify("success", "Inventory synced", `${result.scopes.length} account/Region scopes${skipped}.`);
      onDone();
    } catch (error) {
      flash.notifyError("Inventory sync failed", error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <GuardedButton permission="servers:sync" iconName="refresh" loading={busy} onClick={() => void sync()}>
      Sync from DRS
    </GuardedButton>
  );
}

export function ServersPage() {
  const [filter, setFilter] = useState<PropertyFilterProps.Query>(EMPTY_QUERY);
  const [preferences, setPreferences] = useState<CollectionPreferencesProps.Preferences>({
    pageSize: 50,
    contentDisplay: SERVER_COLUMNS.map((c) => ({
      id: c.id ?? "",
      visible: DEFAULT_VISIBLE.includes(c.id ?? ""),
    })),
  });
  const options = useFilterOptions();
  const query = filterToQuery(filter);
  const pageSize = preferences.pageSize ?? 50;
  const pages = useCursorPages(
    (cursor, signal) => api.listServers({ ...query, limit: pageSize, cursor }, signal),
    JSON.stringify([query, pageSize]),
  );

  return (
    <Shell breadcrumbs={[{ text: "Source servers", href: "/servers" }]}>
      {pages.error && <ProblemAlert error={pages.error} onRetry={pages.reload} />}
      <Table
        variant="full-page"
        items={pages.items}
        columnDefinitions={SERVER_COLUMNS}
        columnDisplay={preferences.contentDisplay}
        loading={pages.loading}
        loadingText="Loading source servers"
        trackBy="id"
        ariaLabels={{ tableLabel: "Source servers" }}
        header={
          <Header
            variant="awsui-h1-sticky"
            counter={`(${pages.items.length}${pages.hasMore ? "+" : ""})`}
            description="Servers replicating to AWS Elastic Disaster Recovery, as last synced."
            actions={<SyncButton onDone={pages.reload} />}
          >
            Source servers
          </Header>
        }
        filter={
          <PropertyFilter
            query={filter}
            onChange={({ detail }) => setFilter(detail)}
            filteringProperties={FILTER_PROPERTIES}
            filteringOptions={options}
            filteringPlaceholder="Filter servers by hostname, account, Region, tag, state or group"
            filteringAriaLabel="Filter source servers"
            hideOperations
            expandToViewport
          />
        }
        pagination={
          <Pagination
            currentPageIndex={pages.pageIndex + 1}
            pagesCount={pages.pagesCount}
            openEnd={pages.hasMore}
            onChange={({ detail }) => pages.setPageIndex(detail.currentPageIndex - 1)}
            ariaLabels={{
              nextPageLabel: "Next page",
              previousPageLabel: "Previous page",
              pageLabel: (n) => `Page ${n}`,
            }}
          />
        }
        preferences={<ServerPreferences preferences={preferences} onChange={setPreferences} />}
        empty={
          <Empty title="No source servers">
            {filter.tokens.length ? "No server matches the filter." : "Sync the inventory from DRS to see servers."}
          </Empty>
        }
      />
    </Shell>
  );
}
