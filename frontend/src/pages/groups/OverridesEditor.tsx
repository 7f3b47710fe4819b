/** Per-server exceptions to the launch defaults, for the servers the selection picks. */
import Checkbox from "@cloudscape-design/components/checkbox";
import Input from "@cloudscape-design/components/input";
import Table from "@cloudscape-design/components/table";
import Header from "@cloudscape-design/components/header";
import type { ApiError } from "../../api/problem";
import type { SourceServer } from "../../api/types";
import { Empty } from "../../components/Empty";
import { errorText } from "../../components/fieldErrors";
import { EMPTY_OVERRIDE, type OverrideRow } from "./groupDraft";

interface Props {
  servers: SourceServer[];
  overrides: Record<string, OverrideRow>;
  onChange: (overrides: Record<string, OverrideRow>) => void;
  error?: ApiError;
}

export function OverridesEditor({ servers, overrides, onChange, error }: Props) {
  const rowOf = (id: string): OverrideRow => overrides[id] ?? EMPTY_OVERRIDE;
  const set = (id: string, patch: Partial<OverrideRow>) =>
    onChange({ ...overrides, [id]: { ...rowOf(id), ...patch } });
  const input = (s: SourceServer, field: "instance_type" | "static_private_ip" | "subnet_id", label: string) => {
    const message = errorText(error, `server_overrides.${s.id}.${field}`);
    return (
      <div>
        <Input
          value={rowOf(s.id)[field]}
          invalid={Boolean(message)}
          ariaLabel={`${label} for ${s.hostname || s.id}`}
          onChange={({ detail }) => set(s.id, { [field]: detail.value })}
        />
        {message ? <div role="alert" style={{ color: "#d91515" }}>{message}</div> : null}
      </div>
    );
  };
  return (
    <Table
      items={servers}
      trackBy="id"
      variant="embedded"
      ariaLabels={{ tableLabel: "Per-server overrides" }}
      header={<Header variant="h3" description="Leave a field empty to use the group's launch defaults.">Per-server overrides</Header>}
      columnDefinitions={[
        { id: "server", header: "Server", cell: (s) => s.hostname || s.id },
        { id: "instance_type", header: "Instance type", cell: (s) => input(s, "instance_type", "Instance type") },
        { id: "subnet_id", header: "Subnet", cell: (s) => input(s, "subnet_id", "Subnet") },
        { id: "static_private_ip", header: "Static private IP", cell: (s) => input(s, "static_private_ip", "Static private IP") },
        {
          id: "optional",
          header: "Optional",
          cell: (s) => (
            <Checkbox
              checked={rowOf(s.id).optional}
              ariaLabel={`${s.hostname || s.id} is optional`}
              onChange={({ detail }) => set(s.id, { optional: detail.checked })}
            />
          ),
        },
      ]}
      empty={<Empty title="No servers selected">Overrides apply to the servers the selection picks.</Empty>}
    />
  );
}
