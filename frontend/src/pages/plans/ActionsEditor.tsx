/** A wave's actions: add, edit (a form per type from its params schema), reorder, remove. */
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import ExpandableSection from "@cloudscape-design/components/expandable-section";
import FormField from "@cloudscape-design/components/form-field";
import Input from "@cloudscape-design/components/input";
import Select, { type SelectProps } from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Textarea from "@cloudscape-design/components/textarea";
import type { ActionType } from "../../api/actions";
import type { PlanProblem } from "../../api/types";
import {
  fieldError,
  moveAction,
  newAction,
  paramFields,
  paramKind,
  problemsForAction,
  type ActionRow,
  type InDrill,
  type OnFailure,
  type Phase,
} from "./actionDraft";

export interface ActionsEditorProps {
  waveLabel: string;
  actions: ActionRow[];
  types: ActionType[];
  /** The wave's problems (paths `waves[i]...`). */
  errors: PlanProblem[];
  onChange: (actions: ActionRow[]) => void;
}

const PHASES: SelectProps.Option[] = [
  { value: "before", label: "Before the servers" },
  { value: "after", label: "After the servers" },
];
const FAILURES: SelectProps.Option[] = [
  { value: "fail_wave", label: "Fail the wave" },
  { value: "continue", label: "Continue" },
];

function pick(options: SelectProps.Option[], value: string): SelectProps.Option {
  return options.find((o) => o.value === value) ?? { value, label: value };
}

function drillOptions(type: ActionType | undefined): SelectProps.Option[] {
  const fallback = type ? `Type default (${type.drill_default})` : "Type default";
  return [
    { value: "", label: fallback },
    { value: "run", label: "Run for real" },
    { value: "skip", label: "Skip" },
    { value: "simulate", label: "Simulate" },
  ];
}

function ParamField(props: { row: ActionRow; type: ActionType | undefined; field: ReturnType<typeof paramFields>[number]; error: string | undefined; onChange: (value: string) => void }) {
  const { row, type, field } = props;
  const kind = paramKind(type, field.name);
  const value = row.params[field.name] ?? "";
  const label = `${field.label}${field.required ? "" : " (optional)"}`;
  const aria = `${field.name} of ${row.name}`;
  return (
    <FormField label={label} description={field.description || undefined} errorText={props.error}>
      {kind === "object" || kind === "array" ? (
        <Textarea rows={2} value={value} ariaLabel={aria} placeholder="{}" onChange={({ detail }) => props.onChange(detail.value)} />
      ) : (
        <Input value={value} ariaLabel={aria} type={kind === "integer" || kind === "number" ? "number" : "text"} onChange={({ detail }) => props.onChange(detail.value)} />
      )}
    </FormField>
  );
}

function ActionForm(props: { row: ActionRow; index: number; count: number; types: ActionType[]; problems: PlanProblem[]; onChange: (row: ActionRow) => void; onMove: (delta: -1 | 1) => void; onRemove: () => void }) {
  const { row, types, problems } = props;
  const type = types.find((t) => t.name === row.type);
  const typeOptions = types.map((t) => ({ value: t.name, label: t.name, description: t.summary }));
  const set = (patch: Partial<ActionRow>) => props.onChange({ ...row, ...patch });
  const fields = paramFields(type);
  const loose = problems.filter((p) => p.path.includes(".params.") && !fields.some((f) => p.path.includes(`.params.${f.name}`)));
  return (
    <div data-testid={`action-${row.name}`} style={{ borderLeft: "2px solid #d1d5db", paddingLeft: 12 }}>
      <SpaceBetween size="xs">
        <SpaceBetween direction="horizontal" size="xs">
          <Box variant="h4">{row.name || `action ${props.index + 1}`}</Box>
          <Button iconName="angle-up" variant="icon" ariaLabel={`Move ${row.name} up`} disabled={props.index === 0} onClick={() => props.onMove(-1)} />
          <Button iconName="angle-down" variant="icon" ariaLabel={`Move ${row.name} down`} disabled={props.index === props.count - 1} onClick={() => props.onMove(1)} />
          <Button iconName="remove" variant="icon" ariaLabel={`Remove ${row.name}`} onClick={props.onRemove} />
        </SpaceBetween>
        <ColumnLayout columns={3}>
          <FormField label="Name" errorText={fieldError(problems, "name")}>
            <Input value={row.name} ariaLabel={`Name of ${row.name}`} onChange={({ detail }) => set({ name: detail.value })} />
          </FormField>
          <FormField label="Type" errorText={fieldError(problems, "type")} description={type?.summary}>
            {typeOptions.length ? (
              <Select selectedOption={pick(typeOptions, row.type)} options={typeOptions} ariaLabel={`Type of ${row.name}`}
                onChange={({ detail }) => set({ type: detail.selectedOption.value ?? row.type, params: {} })} />
            ) : (
              <Input value={row.type} ariaLabel={`Type of ${row.name}`} onChange={({ detail }) => set({ type: detail.value })} />
            )}
          </FormField>
          <FormField label="When">
            <Select selectedOption={pick(PHASES, row.phase)} options={PHASES} ariaLabel={`Phase of ${row.name}`}
              onChange={({ detail }) => set({ phase: (detail.selectedOption.value ?? "before") as Phase })} />
          </FormField>
        </ColumnLayout>
        {fields.length > 0 && (
          <ColumnLayout columns={3}>
            {fields.map((f) => (
              <ParamField key={f.name} row={row} type={type} field={f} error={fieldError(problems, `params.${f.name}`)}
                onChange={(value) => set({ params: { ...row.params, [f.name]: value } })} />
            ))}
          </ColumnLayout>
        )}
        {loose.length > 0 && <Box color="text-status-error">{loose.map((p) => p.message).join("; ")}</Box>}
        <ExpandableSection headerText="Failure, drill, timeout and target">
          <ColumnLayout columns={3}>
            <FormField label="On failure">
              <Select selectedOption={pick(FAILURES, row.on_failure)} options={FAILURES} ariaLabel={`On failure of ${row.name}`}
                onChange={({ detail }) => set({ on_failure: (detail.selectedOption.value ?? "fail_wave") as OnFailure })} />
            </FormField>
            <FormField label="In a drill" errorText={fieldError(problems, "in_drill")}>
              <Select selectedOption={pick(drillOptions(type), row.in_drill)} options={drillOptions(type)} ariaLabel={`Drill behaviour of ${row.name}`}
                onChange={({ detail }) => set({ in_drill: (detail.selectedOption.value ?? "") as InDrill | "" })} />
            </FormField>
            <FormField label="Timeout (minutes)" errorText={fieldError(problems, "timeout_minutes")}>
              <Input type="number" value={row.timeout_minutes} ariaLabel={`Timeout of ${row.name}`} onChange={({ detail }) => set({ timeout_minutes: detail.value })} />
            </FormField>
            {(type?.uses_account ?? true) && (
              <FormField label="Account" description="Default: the wave's" errorText={fieldError(problems, "account_id")}>
                <Input value={row.account_id} ariaLabel={`Account of ${row.name}`} placeholder="123456789012" onChange={({ detail }) => set({ account_id: detail.value })} />
              </FormField>
            )}
            {(type?.uses_account ?? true) && (
              <FormField label="Region" description="Default: the wave's" errorText={fieldError(problems, "region")}>
                <Input value={row.region} ariaLabel={`Region of ${row.name}`} placeholder="us-east-1" onChange={({ detail }) => set({ region: detail.value })} />
              </FormField>
            )}
          </ColumnLayout>
        </ExpandableSection>
      </SpaceBetween>
    </div>
  );
}

export function ActionsEditor({ waveLabel, actions, types, errors, onChange }: ActionsEditorProps) {
  const replace = (index: number, row: ActionRow) => onChange(actions.map((a, i) => (i === index ? row : a)));
  return (
    <SpaceBetween size="s">
      <Box variant="h4">Actions{actions.length ? ` (${actions.length})` : ""}</Box>
      {actions.map((row, index) => (
        <ActionForm key={row.key} row={row} index={index} count={actions.length} types={types}
          problems={problemsForAction(errors, index)}
          onChange={(changed) => replace(index, changed)}
          onMove={(delta) => onChange(moveAction(actions, index, delta))}
          onRemove={() => onChange(actions.filter((_, i) => i !== index))} />
      ))}
      <Button iconName="add-plus" ariaLabel={`Add action to ${waveLabel}`}
        onClick={() => onChange([...actions, newAction(actions.map((a) => a.name), types[0]?.name ?? "wait")])}>
        Add action
      </Button>
    </SpaceBetween>
  );
}
