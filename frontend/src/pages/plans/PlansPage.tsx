/** Recovery plans: list with the last drill, create, edit, delete, start. */
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
import type { RecoveryPlan } from "../../api/types";
import { Empty } from "../../components/Empty";
import { ProblemAlert } from "../../components/ProblemAlert";
import { RouterButton, RouterLink } from "../../components/RouterLink";
import { Status } from "../../components/Status";
import { formatTime } from "../../components/format";
import { useFlash } from "../../layout/flash";
import { Shell } from "../../layout/Shell";
import { useLastDrills } from "./useLastDrills";

function DeleteModal({ plan, onClose, onDeleted }: { plan: RecoveryPlan; onClose: () => void; onDeleted: () => void }) {
  const [busy, setBusy] = useState(false);
  const flash = useFlash();
  const remove = async () => {
    setBusy(true);
    try {
      await api.deletePlan(plan.id);
      flash.notify("success", `Recovery plan ${plan.name} deleted`);
      onDeleted();
    } catch (error) {
      flash.notifyError(`Could not delete ${plan.name}`, error);
      onClose();
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal visible onDismiss={onClose} header="Delete recovery plan"
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={onClose}>Cancel</Button>
            <Button variant="primary" loading={busy} onClick={() => void remove()}>Delete</Button>
          </SpaceBetween>
        </Box>
      }>
      Delete <b>{plan.name}</b>? Past executions keep their own snapshot of it.
    </Modal>
  );
}

export function PlansPage() {
  const plans = useResource((signal) => api.listPlans({ limit: 500 }, signal), []);
  const lastDrills = useLastDrills();
  const [selected, setSelected] = useState<RecoveryPlan[]>([]);
  const [deleting, setDeleting] = useState<RecoveryPlan | undefined>();
  const { items, collectionProps, filterProps, paginationProps } = useCollection(plans.data?.items ?? [], {
    filtering: { filteringFunction: (p, text) => `${p.name} ${p.description}`.toLowerCase().includes(text.toLowerCase()) },
    pagination: { pageSize: 25 },
    sorting: { defaultState: { sortingColumn: { sortingField: "name" } } },
  });
  const first = selected[0];
  return (
    <Shell breadcrumbs={[{ text: "Recovery plans", href: "/plans" }]}>
      {plans.error && <ProblemAlert error={plans.error} onRetry={plans.reload} />}
      <Table
        {...collectionProps}
        variant="full-page"
        items={items}
        trackBy="id"
        loading={plans.loading}
        loadingText="Loading recovery plans"
        selectionType="single"
        selectedItems={selected}
        onSelectionChange={({ detail }) => setSelected(detail.selectedItems)}
        ariaLabels={{ tableLabel: "Recovery plans", itemSelectionLabel: (_, p) => `Select ${p.name}`, selectionGroupLabel: "Plan selection" }}
        header={
          <Header
            variant="awsui-h1-sticky"
            counter={`(${plans.data?.items.length ?? 0})`}
            actions={
              <SpaceBetween direction="horizontal" size="xs">
                <Button disabled={!first} onClick={() => first && setDeleting(first)}>Delete</Button>
                <RouterButton disabled={!first} href={first ? `/plans/${first.id}/edit` : "/plans"}>Edit</RouterButton>
                <RouterButton disabled={!first} href={first ? `/plans/${first.id}/start` : "/plans"}>Start execution</RouterButton>
                <RouterButton variant="primary" href="/plans/new">Create plan</RouterButton>
              </SpaceBetween>
            }
          >
            Recovery plans
          </Header>
        }
        columnDefinitions={[
          { id: "name", header: "Name", cell: (p) => <RouterLink href={`/plans/${p.id}/edit`}>{p.name}</RouterLink>, sortingField: "name", isRowHeader: true },
          { id: "waves", header: "Waves", cell: (p) => p.waves.map((w) => w.name).join(" → ") },
          { id: "rto", header: "RTO", cell: (p) => (p.rto_minutes ? `${p.rto_minutes} min` : "-") },
          {
            id: "drill",
            header: "Last drill",
            cell: (p) => {
              const drill = lastDrills.get(p.id);
              return drill ? (
                <RouterLink href={`/executions/${drill.id}`}>
                  <Status value={drill.status} label={`${drill.status} ${formatTime(drill.created_at)}`} />
                </RouterLink>
              ) : "Never drilled";
            },
          },
          { id: "updated", header: "Updated", cell: (p) => formatTime(p.updated_at), sortingField: "updated_at" },
        ]}
        filter={<TextFilter {...filterProps} filteringPlaceholder="Find plans" filteringAriaLabel="Find plans" />}
        pagination={<Pagination {...paginationProps} />}
        empty={<Empty title="No recovery plans"><RouterButton href="/plans/new">Create plan</RouterButton></Empty>}
      />
      {deleting && (
        <DeleteModal plan={deleting} onClose={() => setDeleting(undefined)}
          onDeleted={() => { setDeleting(undefined); setSelected([]); plans.reload(); }} />
      )}
    </Shell>
  );
}
