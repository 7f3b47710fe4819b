/**
 * A full-page table of named, editable resources (protection groups, recovery plans):
 * header with counter and Delete / Edit / Create, text filter, pagination, an empty state
 * that offers Create, and a delete that is confirmed in a modal first.
 *
 * Every label comes from `names`, so each page keeps its wording (and the labels the e2e
 * tests select by). For { one: "protection group", many: "Protection groups", short: "group" }:
 * "Protection groups" (header, breadcrumb, table), "Loading protection groups",
 * "No protection groups", "Find groups", "Create group", "Group selection", "Select <name>",
 * "Delete protection group".
 */
import { useState, type ReactNode } from "react";
import { useCollection } from "@cloudscape-design/collection-hooks";
import Header from "@cloudscape-design/components/header";
import Pagination from "@cloudscape-design/components/pagination";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table, { type TableProps } from "@cloudscape-design/components/table";
import TextFilter from "@cloudscape-design/components/text-filter";
import type { Page } from "../api/types";
import { useResource } from "../api/useResource";
import { Shell } from "../layout/Shell";
import { GuardedButton } from "../session/GuardedButton";
import type { Permission } from "../session/access";
import { ConfirmDeleteModal } from "./ConfirmDeleteModal";
import { Empty } from "./Empty";
import { ProblemAlert } from "./ProblemAlert";
import { RouterLink } from "./RouterLink";
import { capitalized, formatTime } from "./format";

/** What every listed resource has: the Name and Updated columns and the filter use these. */
export interface Listed {
  id: string;
  name: string;
  description: string;
  updated_at: string;
}

export interface ResourceNames {
  /** One item, lower case: "protection group". */
  one: string;
  /** The list's title: "Protection groups". */
  many: string;
  /** The short noun of the buttons and the filter: "group". */
  short: string;
}

export interface ResourceListPageProps<T extends Listed> {
  names: ResourceNames;
  /** The list's route; an item is edited at `${path}/${id}/edit`, created at `${path}/new`. */
  path: string;
  load: (signal: AbortSignal) => Promise<Page<T>>;
  /** The page's own columns, shown between Name (a link to the editor) and Updated. */
  columns: TableProps.ColumnDefinition<T>[];
  /** More header actions on the selected item, shown between Edit and Create. */
  itemActions?: (selected: T | undefined) => ReactNode;
  remove: (item: T) => Promise<unknown>;
  /** What a deletion does to related things, e.g. "Plans that use it block the deletion." */
  deleteNote: string;
  /** The permission create, edit and delete need. */
  writePermission: Permission;
}

export function ResourceListPage<T extends Listed>({
  names,
  path,
  load,
  columns,
  itemActions,
  remove,
  deleteNote,
  writePermission,
}: ResourceListPageProps<T>) {
  const list = useResource(load, []);
  const [selected, setSelected] = useState<T[]>([]);
  const [deleting, setDeleting] = useState<T | undefined>();
  const { items, collectionProps, filterProps, paginationProps } = useCollection(list.data?.items ?? [], {
    filtering: { filteringFunction: (item, text) => `${item.name} ${item.description}`.toLowerCase().includes(text.toLowerCase()) },
    pagination: { pageSize: 25 },
    sorting: { defaultState: { sortingColumn: { sortingField: "name" } } },
  });
  const first = selected[0];
  const editHref = (item: T) => `${path}/${item.id}/edit`;
  const create = `Create ${names.short}`;
  const find = `Find ${names.short}s`;
  return (
    <Shell breadcrumbs={[{ text: names.many, href: path }]}>
      {list.error && <ProblemAlert error={list.error} onRetry={list.reload} />}
      <Table
        {...collectionProps}
        variant="full-page"
        items={items}
        trackBy="id"
        loading={list.loading}
        loadingText={`Loading ${names.many.toLowerCase()}`}
        selectionType="single"
        selectedItems={selected}
        onSelectionChange={({ detail }) => setSelected(detail.selectedItems)}
        ariaLabels={{
          tableLabel: names.many,
          itemSelectionLabel: (_, item) => `Select ${item.name}`,
          selectionGroupLabel: `${capitalized(names.short)} selection`,
        }}
        header={
          <Header
            variant="awsui-h1-sticky"
            counter={`(${list.data?.items.length ?? 0})`}
            actions={
              <SpaceBetween direction="horizontal" size="xs">
                <GuardedButton permission={writePermission} disabled={!first} onClick={() => first && setDeleting(first)}>Delete</GuardedButton>
                <GuardedButton permission={writePermission} disabled={!first} to={first ? editHref(first) : path}>Edit</GuardedButton>
                {itemActions?.(first)}
                <GuardedButton permission={writePermission} variant="primary" to={`${path}/new`}>{create}</GuardedButton>
              </SpaceBetween>
            }
          >
            {names.many}
          </Header>
        }
        columnDefinitions={[
          { id: "name", header: "Name", cell: (item) => <RouterLink href={editHref(item)}>{item.name}</RouterLink>, sortingField: "name", isRowHeader: true },
          ...columns,
          { id: "updated", header: "Updated", cell: (item) => formatTime(item.updated_at), sortingField: "updated_at" },
        ]}
        filter={<TextFilter {...filterProps} filteringPlaceholder={find} filteringAriaLabel={find} />}
        pagination={<Pagination {...paginationProps} />}
        empty={
          <Empty title={`No ${names.many.toLowerCase()}`}>
            <GuardedButton permission={writePermission} to={`${path}/new`}>{create}</GuardedButton>
          </Empty>
        }
      />
      {deleting && (
        <ConfirmDeleteModal
          kind={names.one}
          name={deleting.name}
          note={deleteNote}
          remove={() => remove(deleting)}
          onClose={() => setDeleting(undefined)}
          onDeleted={() => { setDeleting(undefined); setSelected([]); list.reload(); }}
        />
      )}
    </Shell>
  );
}
