/** The group's launch defaults: network, instance type, right-sizing and copy options. */
import Checkbox from "@cloudscape-design/components/checkbox";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import FormField from "@cloudscape-design/components/form-field";
import Input from "@cloudscape-design/components/input";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import type { ApiError } from "../../api/problem";
import { errorText } from "../../components/fieldErrors";
import type { LaunchState } from "./groupDraft";

interface Props {
  value: LaunchState;
  onChange: (value: LaunchState) => void;
  error?: ApiError;
}

const RIGHT_SIZING = ["NONE", "BASIC", "IN_AWS"] as const;
const DISPOSITION = ["STARTED", "STOPPED"] as const;

export function LaunchDefaultsForm({ value, onChange, error }: Props) {
  const set = (patch: Partial<LaunchState>) => onChange({ ...value, ...patch });
  const text = (field: keyof LaunchState, label: string, placeholder: string) => (
    <FormField label={label} errorText={errorText(error, `launch_defaults.${field}`)}>
      <Input
        value={String(value[field])}
        placeholder={placeholder}
        onChange={({ detail }) => set({ [field]: detail.value } as Partial<LaunchState>)}
      />
    </FormField>
  );
  return (
    <SpaceBetween size="m">
      <ColumnLayout columns={2}>
        {text("subnet_id", "Subnet", "subnet-0abc1234")}
        {text("subnet_cidr", "Subnet CIDR", "10.0.1.0/24")}
        {text("security_group_ids", "Security groups (comma-separated)", "sg-0abc1234")}
        {text("instance_type", "Instance type", "m5.large")}
        <FormField label="Right-sizing">
          <Select
            selectedOption={{ value: value.right_sizing, label: value.right_sizing }}
            options={RIGHT_SIZING.map((v) => ({ value: v, label: v }))}
            onChange={({ detail }) => set({ right_sizing: detail.selectedOption.value as LaunchState["right_sizing"] })}
          />
        </FormField>
        <FormField label="Launch disposition">
          <Select
            selectedOption={{ value: value.launch_disposition, label: value.launch_disposition }}
            options={DISPOSITION.map((v) => ({ value: v, label: v }))}
            onChange={({ detail }) =>
              set({ launch_disposition: detail.selectedOption.value as LaunchState["launch_disposition"] })
            }
          />
        </FormField>
      </ColumnLayout>
      <SpaceBetween size="xs" direction="horizontal">
        <Checkbox checked={value.copy_private_ip} onChange={({ detail }) => set({ copy_private_ip: detail.checked })}>
          Copy private IP
        </Checkbox>
        <Checkbox checked={value.copy_tags} onChange={({ detail }) => set({ copy_tags: detail.checked })}>
          Copy tags
        </Checkbox>
        <Checkbox checked={value.byol} onChange={({ detail }) => set({ byol: detail.checked })}>
          Bring your own license
        </Checkbox>
      </SpaceBetween>
    </SpaceBetween>
  );
}
