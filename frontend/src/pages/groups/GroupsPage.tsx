/** Protection groups: the list, with delete. */
import { useState } from "react";
import { useCollection } from "@cloudscape-design/collection-hooks";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Header from "@cloudscape-design/components/header";
import Modal from "@cloudscape-design/components/modal";
import Pagination from "@cloudscape-design/components/pagination";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import TextFilter from "@cloudscape-design/components/text-filter";
import { api } from "../../api/client";
import { useResource } from "../../api/useResource";
import type { ProtectionGroup } from "../../api/types";
import { Empty } from "../../components/Empty";
import { ProblemAlert } from "../../components/ProblemAlert";
import { RouterButton, RouterLink } from "../../components/RouterLink";
import { formatTags, formatTime } from "../../components/format";
import { useFlash } from "../../layout/flash";
import { Shell } from "../../layout/Shell";
import { selectionOf } from "./groupDraft";

function describeSelection(group: ProtectionGroup): string {
  const selection = selectionOf(group);
  if (selection.tags) return `Tags: ${formatTags(selection.tags)}`;
  return `${selection.server_ids?.length ?? 0} explicit server(s)`;
}

function DeleteModal({ group, onClose, onDeleted }: { group: ProtectionGroup; onClose: () => void; onDeleted: () => void }) {
  const [busy, setBusy] = useState(false);
  const flash = useFlash();
  const remove = async () => {
    setBusy(true);
    try {
      await api.deleteGroup(group.id);
      flash.notify("success", `Protection group ${group.name} deleted`);
      onDeleted();
    } catch (error) {
      flash.notifyError(`Could not delete ${group.name}`, error);
      onClose();
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      visible
      onDismiss={onClose}
      header="Delete protection group"
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={onClose}>Cancel</Button>
            <Button variant="primary" loading={busy} onClick={() => void remove()}>Delete</Button>
          </SpaceBetween>
        </Box>
      }
    >
      Delete <b>{group.name}</b>? Plans that use it block the deletion.
    </Modal>
  );
}

export function GroupsPage() {
  const groups = useResource((signal) => api.listGroups({ limit: 500 }, signal), []);
  const [selected, setSelected] = useState<ProtectionGroup[]>([]);
  const [deleting, setDeleting] = useState<ProtectionGroup | undefined>();
  const { items, collectionProps, filterProps, paginationProps } = useCollection(groups.data?.items ?? [], {
    filtering: { filteringFunction: (g, text) => `${g.name} ${g.description}`.toLowerCase().includes(text.toLowerCase()) },
    pagination: { pageSize: 25 },
    sorting: { defaultState: { sortingColumn: { sortingField: "name" } } },
  });
  const first = selected[0];
  return (
    <Shell breadcrumbs={[{ text: "Protection groups", href: "/groups" }]}>
      {groups.error && <ProblemAlert error={groups.error} onRetry={groups.reload} />}
      <Table
        {...collectionProps}
        variant="full-page"
        items={items}
        trackBy="id"
        loading={groups.loading}
        loadingText="Loading protection groups"
        selectionType="single"
        selectedItems={selected}
        onSelectionChange={({ detail }) => setSelected(detail.selectedItems)}
        ariaLabels={{ tableLabel: "Protection groups", itemSelectionLabel: (_, g) => `Select ${g.name}`, selectionGroupLabel: "Group selection" }}
        header={
          <Header
            variant="awsui-h1-sticky"
            counter={`(${groups.data?.items.length ?? 0})`}
            actions={
              <SpaceBetween direction="horizontal" size="xs">
                <Button disabled={!first} onClick={() => first && setDeleting(first)}>Delete</Button>
                <RouterButton disabled={!first} href={first ? `/groups/${first.id}/edit` : "/groups"}>Edit</RouterButton>
                <RouterButton variant="primary" href="/groups/new">Create group</RouterButton>
              </SpaceBetween>
            }
          >
            Protection groups
          </Header>
        }
        columnDefinitions={[
          { id: "name", header: "Name", cell: (g) => <RouterLink href={`/groups/${g.id}/edit`}>{g.name}</RouterLink>, sortingField: "name", isRowHeader: true },
          { id: "scope", header: "Account / Region", cell: (g) => `${g.account_id} / ${g.region}` },
          { id: "selection", header: "Selection", cell: describeSelection },
          { id: "description", header: "Description", cell: (g) => g.description || "-" },
          { id: "updated", header: "Updated", cell: (g) => formatTime(g.updated_at), sortingField: "updated_at" },
        ]}
        filter={<TextFilter {...filterProps} filteringPlaceholder="Find groups" filteringAriaLabel="Find groups" />}
        pagination={<Pagination {...paginationProps} />}
        empty={
          <Empty title="No protection groups">
            <RouterButton href="/groups/new">Create group</RouterButton>
          </Empty>
        }
      />
      {deleting && (
        <DeleteModal
          group={deleting}
          onClose={() => setDeleting(undefined)}
          onDeleted={() => { setDeleting(undefined); setSelected([]); groups.reload(); }}
        />
      )}
    </Shell>
  );
}
