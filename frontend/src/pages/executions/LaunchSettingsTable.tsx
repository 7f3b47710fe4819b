/**
 * The launch settings each server was launched with, and whether drorch had to change them:
 * for the servers of the Servers table's current page (the API pages an execution's servers).
 */
import Header from "@cloudscape-design/components/header";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table from "@cloudscape-design/components/table";
import type { ExecutionServer } from "../../api/executions";

type Applied = NonNullable<ExecutionServer["launch_settings"]>;
type Row = { server: string; id: string; record: Applied };

const yesNo = (value: boolean) => (value ? "Yes" : "No");

export function launchSettingsRows(servers: ExecutionServer[]): Row[] {
  return servers.flatMap((s) =>
    s.launch_settings ? [{ server: s.hostname || s.source_server_id, id: s.source_server_id, record: s.launch_settings }] : [],
  );
}

function templateText(record: Applied): string {
  if (!record.template_id) return "-";
  return record.template_version ? `${record.template_id} v${record.template_version}` : record.template_id;
}

function outcome(record: Applied) {
  if (record.state === "FAILED") return <StatusIndicator type="error">{record.error ?? "Failed"}</StatusIndicator>;
  if (record.state === "INTENDED") return <StatusIndicator type="pending">Being applied</StatusIndicator>;
  return record.changed
    ? <StatusIndicator type="success">Applied</StatusIndicator>
    : <StatusIndicator type="info">Already in place</StatusIndicator>;
}

export function LaunchSettingsTable({ servers }: { servers: ExecutionServer[] }) {
  const rows = launchSettingsRows(servers);
  if (!rows.length) return null;
  return (
    <Table
      items={rows}
      trackBy="id"
      variant="container"
      ariaLabels={{ tableLabel: "Launch settings of the servers" }}
      header={<Header counter={`(${rows.length})`} description="What each server was launched with: subnet, security groups, instance type, static IP and DRS launch options.">Launch settings</Header>}
      columnDefinitions={[
        { id: "server", header: "Server", cell: (r) => r.server, isRowHeader: true },
        { id: "subnet", header: "Subnet", cell: (r) => r.record.wanted.subnet_id ?? "-" },
        { id: "groups", header: "Security groups", cell: (r) => (r.record.wanted.security_group_ids ?? []).join(", ") || "-" },
        { id: "type", header: "Instance type", cell: (r) => r.record.wanted.instance_type ?? "-" },
        { id: "ip", header: "Static IP", cell: (r) => r.record.wanted.static_private_ip ?? "-" },
        { id: "copy-ip", header: "Copy private IP", cell: (r) => yesNo(r.record.wanted.copy_private_ip) },
        { id: "copy-tags", header: "Copy tags", cell: (r) => yesNo(r.record.wanted.copy_tags) },
        { id: "byol", header: "BYOL", cell: (r) => yesNo(r.record.wanted.byol) },
        { id: "sizing", header: "Right-sizing", cell: (r) => r.record.wanted.right_sizing },
        { id: "disposition", header: "Disposition", cell: (r) => r.record.wanted.launch_disposition },
        { id: "template", header: "Launch template", cell: (r) => templateText(r.record) },
        { id: "outcome", header: "Outcome", cell: (r) => outcome(r.record) },
      ]}
    />
  );
}
