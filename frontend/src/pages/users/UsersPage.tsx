/** Users (admin): list, create, change role, disable or enable, reset password. */
import { useState } from "react";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table, { type TableProps } from "@cloudscape-design/components/table";
import { api } from "../../api/client";
import type { User } from "../../api/identity";
import { useResource } from "../../api/useResource";
import { Empty } from "../../components/Empty";
import { ProblemAlert } from "../../components/ProblemAlert";
import { formatTime } from "../../components/format";
import { useFlash } from "../../layout/flash";
import { Shell } from "../../layout/Shell";
import { roleLabel } from "../../layout/TopBar";
import { GuardedButton } from "../../session/GuardedButton";
import { NeedsPermission } from "../../session/NeedsPermission";
import { CreateUserModal, PasswordModal, RoleModal, updateOf } from "./UserModals";

const COLUMNS: TableProps.ColumnDefinition<User>[] = [
  { id: "username", header: "Username", cell: (u) => u.username, isRowHeader: true },
  { id: "name", header: "Display name", cell: (u) => u.display_name || "-" },
  { id: "email", header: "Email", cell: (u) => u.email || "-" },
  { id: "role", header: "Role", cell: (u) => roleLabel(u.role) },
  { id: "enabled", header: "Status", cell: (u) => <StatusIndicator type={u.enabled ? "success" : "stopped"}>{u.enabled ? "Enabled" : "Disabled"}</StatusIndicator> },
  { id: "signin", header: "Last sign-in", cell: (u) => formatTime(u.last_sign_in_at) },
];

type Dialog = "create" | "role" | "password" | undefined;

function UsersTable() {
  const list = useResource((signal) => api.listUsers(signal), []);
  const [selected, setSelected] = useState<User[]>([]);
  const [dialog, setDialog] = useState<Dialog>();
  const flash = useFlash();
  const user = selected[0];
  const done = (message: string) => {
    setDialog(undefined);
    setSelected([]);
    flash.notify("success", message);
    list.reload();
  };
  const toggle = async (target: User) => {
    try {
      await api.updateUser(target.id, updateOf(target, { enabled: !target.enabled }));
      done(`${target.username} ${target.enabled ? "disabled" : "enabled"}`);
    } catch (error) {
      flash.notifyError(`${target.enabled ? "Disable" : "Enable"} ${target.username} failed`, error);
    }
  };
  const actions = (
    <SpaceBetween direction="horizontal" size="xs">
      <GuardedButton permission="users:write" disabled={!user} onClick={() => user && void toggle(user)}>{user && !user.enabled ? "Enable" : "Disable"}</GuardedButton>
      <GuardedButton permission="users:write" disabled={!user} onClick={() => setDialog("role")}>Change role</GuardedButton>
      <GuardedButton permission="users:write" disabled={!user} onClick={() => setDialog("password")}>Reset password</GuardedButton>
      <GuardedButton permission="users:write" variant="primary" onClick={() => setDialog("create")}>Create user</GuardedButton>
    </SpaceBetween>
  );
  return (
    <>
      {list.error && <ProblemAlert error={list.error} onRetry={list.reload} />}
      <Table variant="full-page" items={list.data ?? []} columnDefinitions={COLUMNS} trackBy="id"
        loading={list.loading} loadingText="Loading users" selectionType="single" selectedItems={selected}
        onSelectionChange={({ detail }) => setSelected(detail.selectedItems)}
        ariaLabels={{ tableLabel: "Users", itemSelectionLabel: (_, u) => `Select ${u.username}`, selectionGroupLabel: "User selection" }}
        header={<Header variant="awsui-h1-sticky" counter={`(${list.data?.length ?? 0})`} actions={actions}
          description="People who sign in with a password. A role change or a disabled user takes effect on the next request.">Users</Header>}
        empty={<Empty title="No users" />}
      />
      {dialog === "create" && <CreateUserModal onClose={() => setDialog(undefined)} onDone={() => done("User created")} />}
      {dialog === "role" && user && <RoleModal user={user} onClose={() => setDialog(undefined)} onDone={() => done(`Role of ${user.username} changed`)} />}
      {dialog === "password" && user && <PasswordModal user={user} onClose={() => setDialog(undefined)} onDone={() => done(`Password of ${user.username} reset`)} />}
    </>
  );
}

export function UsersPage() {
  return (
    <Shell breadcrumbs={[{ text: "Users", href: "/users" }]}>
      <NeedsPermission permission="users:read">
        <UsersTable />
      </NeedsPermission>
    </Shell>
  );
}
