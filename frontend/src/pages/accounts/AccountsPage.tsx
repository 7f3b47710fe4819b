/** Target accounts: list, register, edit, delete, verify; the selected one's set-up and results. */
import { useState } from "react";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table, { type TableProps } from "@cloudscape-design/components/table";
import type { Account } from "../../api/accounts";
import { api } from "../../api/client";
import { useResource } from "../../api/useResource";
import { ConfirmDeleteModal } from "../../components/ConfirmDeleteModal";
import { Empty } from "../../components/Empty";
import { ProblemAlert } from "../../components/ProblemAlert";
import { Status } from "../../components/Status";
import { useFlash } from "../../layout/flash";
import { Shell } from "../../layout/Shell";
import { GuardedButton } from "../../session/GuardedButton";
import { NeedsPermission } from "../../session/NeedsPermission";
import { AccountDetails, verificationSummary } from "./AccountDetails";
import { AccountFormModal } from "./AccountFormModal";

const COLUMNS: TableProps.ColumnDefinition<Account>[] = [
  { id: "id", header: "Account id", cell: (a) => a.account_id, isRowHeader: true },
  { id: "name", header: "Name", cell: (a) => a.name },
  { id: "role", header: "Role ARN", cell: (a) => a.role_arn },
  { id: "regions", header: "Regions", cell: (a) => a.regions.join(", ") },
  { id: "status", header: "Status", cell: (a) => <Status value={a.status} /> },
  { id: "verified", header: "Last verification", cell: (a) => verificationSummary(a.last_verification) },
];

type Dialog = "create" | "edit" | "delete" | undefined;

function AccountsTable() {
  const list = useResource((signal) => api.listAccounts(signal), []);
  const [selectedId, setSelectedId] = useState<string>();
  const [dialog, setDialog] = useState<Dialog>();
  const [verifying, setVerifying] = useState(false);
  const flash = useFlash();
  // Kept by id, so a reload shows the account as the server now has it.
  const account = list.data?.find((a) => a.account_id === selectedId);
  const done = (message: string, keep?: string) => {
    setDialog(undefined);
    setSelectedId(keep);
    flash.notify("success", message);
    list.reload();
  };
  const verify = async (target: Account) => {
    setVerifying(true);
    try {
      const checked = await api.verifyAccount(target.account_id);
      const ok = checked.last_verification?.ok ?? false;
      flash.notify(ok ? "success" : "error", `${target.name} ${ok ? "verified" : "failed verification"}`);
      // The answer is the account as stored now: show it without another read.
      list.setData((list.data ?? []).map((a) => (a.account_id === checked.account_id ? checked : a)));
    } catch (error) {
      flash.notifyError(`Verify ${target.name} failed`, error);
    } finally {
      setVerifying(false);
    }
  };
  const actions = (
    <SpaceBetween direction="horizontal" size="xs">
      <GuardedButton permission="accounts:write" disabled={!account} loading={verifying} onClick={() => account && void verify(account)}>Verify</GuardedButton>
      <GuardedButton permission="accounts:write" disabled={!account} onClick={() => setDialog("edit")}>Edit</GuardedButton>
      <GuardedButton permission="accounts:write" disabled={!account} onClick={() => setDialog("delete")}>Delete</GuardedButton>
      <GuardedButton permission="accounts:write" variant="primary" onClick={() => setDialog("create")}>Register account</GuardedButton>
    </SpaceBetween>
  );
  return (
    <SpaceBetween size="l">
      {list.error && <ProblemAlert error={list.error} onRetry={list.reload} />}
      <Table variant="full-page" items={list.data ?? []} columnDefinitions={COLUMNS} trackBy="account_id"
        loading={list.loading} loadingText="Loading accounts" selectionType="single" selectedItems={account ? [account] : []}
        onSelectionChange={({ detail }) => setSelectedId(detail.selectedItems[0]?.account_id)}
        ariaLabels={{ tableLabel: "Target accounts", itemSelectionLabel: (_, a) => `Select ${a.name}`, selectionGroupLabel: "Account selection" }}
        header={<Header variant="awsui-h1-sticky" counter={`(${list.data?.length ?? 0})`} actions={actions}
          description="Accounts drorch reaches by assuming a role there. Select one to see its set-up and last verification.">Target accounts</Header>}
        empty={<Empty title="No target accounts" />}
      />
      {account && <AccountDetails account={account} />}
      {dialog === "create" && <AccountFormModal onClose={() => setDialog(undefined)} onDone={(a) => done(`Account ${a.name} registered`, a.account_id)} />}
      {dialog === "edit" && account && <AccountFormModal account={account} onClose={() => setDialog(undefined)} onDone={(a) => done(`Account ${a.name} saved`, a.account_id)} />}
      {dialog === "delete" && account && (
        <ConfirmDeleteModal kind="target account" name={account.name} note="Protection groups using it must move to another account first."
          remove={() => api.deleteAccount(account.account_id, account.version)} onClose={() => setDialog(undefined)}
          onDeleted={() => { setDialog(undefined); setSelectedId(undefined); list.reload(); }} />
      )}
    </SpaceBetween>
  );
}

export function AccountsPage() {
  return (
    <Shell breadcrumbs={[{ text: "Target accounts", href: "/accounts" }]}>
      <NeedsPermission permission="accounts:read">
        <AccountsTable />
      </NeedsPermission>
    </Shell>
  );
}
