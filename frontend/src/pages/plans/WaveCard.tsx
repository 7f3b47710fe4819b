/** One wave of the editor: name, groups, dependencies, pause, and its problems. */
import Alert from "@cloudscape-design/components/alert";
import Button from "@cloudscape-design/components/button";
import Checkbox from "@cloudscape-design/components/checkbox";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import Multiselect, { type MultiselectProps } from "@cloudscape-design/components/multiselect";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Toggle from "@cloudscape-design/components/toggle";
import type { ActionType } from "../../api/actions";
import type { PlanProblem } from "../../api/types";
import { ActionsEditor } from "./ActionsEditor";
import type { WaveRow } from "./planDraft";

export interface WaveCardProps {
  wave: WaveRow;
  index: number;
  count: number;
  previousName: string | undefined;
  otherNames: string[];
  groupOptions: MultiselectProps.Option[];
  errors: PlanProblem[];
  warnings: PlanProblem[];
  onChange: (patch: Partial<WaveRow>) => void;
  onRename: (name: string) => void;
  onMove: (delta: -1 | 1) => void;
  onRemove: () => void;
  actionTypes?: ActionType[];
}

function selected(options: MultiselectProps.Option[], values: string[]): MultiselectProps.Option[] {
  return values.map((v) => options.find((o) => o.value === v) ?? { value: v, label: v });
}

export function WaveCard(props: WaveCardProps) {
  const { wave, index, count, errors, warnings } = props;
  const label = wave.name || `wave ${index + 1}`;
  const nameErrors = errors.filter((e) => e.path.endsWith(".name") && !e.path.includes(".actions[")).map((e) => e.message);
  const groupErrors = errors.filter((e) => e.path.includes(".protection_group_ids")).map((e) => e.message);
  // Warnings about actions (a drill-unsafe type run for real) are shown with the wave's.
  const depErrors = errors.filter((e) => e.path.includes(".depends_on")).map((e) => e.message);
  const actionErrors = errors.filter((e) => e.path.includes(".actions["));
  const otherErrors = errors.filter((e) => !actionErrors.includes(e) && !nameErrors.includes(e.message) && !groupErrors.includes(e.message) && !depErrors.includes(e.message));
  const depOptions = props.otherNames.map((n) => ({ value: n, label: n }));
  const usesDefault = wave.depends_on === null;
  return (
    <Container
      data-testid={`wave-card-${index}`}
      header={
        <Header
          variant="h3"
          actions={
            <SpaceBetween direction="horizontal" size="xs">
              <Button iconName="angle-up" variant="icon" ariaLabel={`Move ${label} up`} disabled={index === 0} onClick={() => props.onMove(-1)} />
              <Button iconName="angle-down" variant="icon" ariaLabel={`Move ${label} down`} disabled={index === count - 1} onClick={() => props.onMove(1)} />
              <Button iconName="remove" variant="icon" ariaLabel={`Remove ${label}`} disabled={count === 1} onClick={props.onRemove} />
            </SpaceBetween>
          }
        >
          Wave {index + 1}
        </Header>
      }
    >
      <SpaceBetween size="s">
        <ColumnLayout columns={2}>
          <FormField label="Wave name" errorText={nameErrors.join("; ") || undefined}>
            <Input value={wave.name} ariaLabel={`Name of wave ${index + 1}`} onChange={({ detail }) => props.onRename(detail.value)} />
          </FormField>
          <FormField label="Protection groups" errorText={groupErrors.join("; ") || undefined}>
            <Multiselect
              selectedOptions={selected(props.groupOptions, wave.protection_group_ids)}
              options={props.groupOptions}
              placeholder="Choose groups"
              filteringType="auto"
              ariaLabel={`Protection groups of ${label}`}
              onChange={({ detail }) => props.onChange({ protection_group_ids: detail.selectedOptions.map((o) => o.value ?? "") })}
            />
          </FormField>
          <FormField label="Depends on" errorText={depErrors.join("; ") || undefined}
            description={usesDefault ? (props.previousName ? `Default: after ${props.previousName}.` : "Default: starts first.") : "Starts when all chosen waves complete."}>
            <SpaceBetween size="xs">
              <Toggle checked={usesDefault} onChange={({ detail }) => props.onChange({ depends_on: detail.checked ? null : props.previousName ? [props.previousName] : [] })}>
                After the previous wave
              </Toggle>
              {!usesDefault && (
                <Multiselect
                  selectedOptions={selected(depOptions, wave.depends_on ?? [])}
                  options={depOptions}
                  placeholder="No dependency: starts at once"
                  ariaLabel={`Dependencies of ${label}`}
                  onChange={({ detail }) => props.onChange({ depends_on: detail.selectedOptions.map((o) => o.value ?? "") })}
                />
              )}
            </SpaceBetween>
          </FormField>
          <FormField label="Operator control">
            <Checkbox checked={wave.pause_before} onChange={({ detail }) => props.onChange({ pause_before: detail.checked })}>
              Pause before this wave (wait for resume)
            </Checkbox>
          </FormField>
        </ColumnLayout>
        <ActionsEditor waveLabel={label} actions={wave.actions ?? []} types={props.actionTypes ?? []} errors={actionErrors}
          onChange={(actions) => props.onChange({ actions })} />
        {otherErrors.length > 0 && <Alert type="error">{otherErrors.map((e) => e.message).join("; ")}</Alert>}
        {warnings.length > 0 && (
          <Alert type="warning" header={`${warnings.length} warning(s)`}>
            <ul>{warnings.slice(0, 10).map((w, i) => <li key={i}>{w.message}</li>)}</ul>
            {warnings.length > 10 ? `and ${warnings.length - 10} more` : null}
          </Alert>
        )}
      </SpaceBetween>
    </Container>
  );
}
