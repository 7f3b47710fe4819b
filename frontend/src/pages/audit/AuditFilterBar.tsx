/** The Audit page's filters: who, what, on which target, how it ended, and when. */
import ColumnLayout from "@cloudscape-design/components/column-layout";
import DateRangePicker, { type DateRangePickerProps } from "@cloudscape-design/components/date-range-picker";
import FormField from "@cloudscape-design/components/form-field";
import Input from "@cloudscape-design/components/input";
import Select from "@cloudscape-design/components/select";
import type { AuditFilters } from "./auditQuery";

const OUTCOMES = ["", "success", "denied", "refused", "failed"].map((value) => ({ value, label: value || "Any outcome" }));

const RELATIVE: DateRangePickerProps.RelativeOption[] = [
  { key: "1h", amount: 1, unit: "hour", type: "relative" },
  { key: "24h", amount: 24, unit: "hour", type: "relative" },
  { key: "7d", amount: 7, unit: "day", type: "relative" },
  { key: "30d", amount: 30, unit: "day", type: "relative" },
];

function validRange(range: DateRangePickerProps.Value | null): DateRangePickerProps.ValidationResult {
  if (range?.type === "absolute" && range.startDate > range.endDate) {
    return { valid: false, errorMessage: "The start must be before the end." };
  }
  return { valid: true };
}

interface Props {
  filters: AuditFilters;
  onChange: (filters: AuditFilters) => void;
}

export function AuditFilterBar({ filters, onChange }: Props) {
  const set = (patch: Partial<AuditFilters>) => onChange({ ...filters, ...patch });
  const text = (label: string, key: "principal" | "action" | "targetType" | "targetId", placeholder: string) => (
    <FormField label={label}>
      <Input value={filters[key]} placeholder={placeholder} ariaLabel={`Filter by ${label.toLowerCase()}`} type="search"
        onChange={({ detail }) => set({ [key]: detail.value })} />
    </FormField>
  );
  return (
    <ColumnLayout columns={3} minColumnWidth={180}>
      {text("Principal", "principal", "username or subject")}
      {text("Action", "action", "e.g. execution.start")}
      {text("Target type", "targetType", "e.g. execution")}
      {text("Target id", "targetId", "e.g. ex-…")}
      <FormField label="Outcome">
        <Select selectedOption={OUTCOMES.find((o) => o.value === filters.outcome) ?? null} options={OUTCOMES}
          ariaLabel="Filter by outcome" onChange={({ detail }) => set({ outcome: detail.selectedOption.value ?? "" })} />
      </FormField>
      <FormField label="Time range">
        <DateRangePicker value={filters.range} relativeOptions={RELATIVE} isValidRange={validRange}
          placeholder="Any time" ariaLabel="Filter by time range" onChange={({ detail }) => set({ range: detail.value })} />
      </FormField>
    </ColumnLayout>
  );
}
