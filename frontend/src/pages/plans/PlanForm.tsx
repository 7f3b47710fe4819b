/** Create or edit a recovery plan: general fields, the wave editor, the graph and validation. */
import { useState } from "react";
import Box from "@cloudscape-design/components/box";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Textarea from "@cloudscape-design/components/textarea";
import type { ProtectionGroup, RecoveryPlanDraft } from "../../api/types";
import { errorText } from "../../components/fieldErrors";
import { SaveForm, useSave } from "../../components/SaveForm";
import { CleanupAfterField } from "./CleanupAfterField";
import { toDraft, type PlanFormState } from "./planDraft";
import { useActionTypes } from "./useActionTypes";
import { usePlanValidation, type ValidationView } from "./usePlanValidation";
import { WaveEditor } from "./WaveEditor";
import { WaveGraph } from "./WaveGraph";

export interface PlanFormProps {
  initial: PlanFormState;
  groups: ProtectionGroup[];
  submitLabel: string;
  onSubmit: (draft: RecoveryPlanDraft) => Promise<void>;
  onCancel: () => void;
}

function ValidationSummary({ validation }: { validation: ValidationView }) {
  if (validation.checking) return <StatusIndicator type="loading">Validating</StatusIndicator>;
  const planLevel = validation.errors.filter((e) => !e.path.startsWith("waves["));
  return (
    <SpaceBetween size="xs">
      {validation.errors.length === 0 ? (
        <StatusIndicator type="success">Plan is valid</StatusIndicator>
      ) : (
        <StatusIndicator type="error">{validation.errors.length} error(s)</StatusIndicator>
      )}
      {validation.warnings.length > 0 && <StatusIndicator type="warning">{validation.warnings.length} warning(s)</StatusIndicator>}
      {planLevel.map((e, i) => (
        <Box key={i} color="text-status-error">{e.path ? `${e.path}: ` : ""}{e.message}</Box>
      ))}
    </SpaceBetween>
  );
}

export function PlanForm({ initial, groups, submitLabel, onSubmit, onCancel }: PlanFormProps) {
  const [state, setState] = useState<PlanFormState>(initial);
  const save = useSave();
  const { error } = save;
  const validation = usePlanValidation(state);
  const actionTypes = useActionTypes();
  const groupNames = new Map(groups.map((g) => [g.id, g.name]));
  const set = (patch: Partial<PlanFormState>) => setState((s) => ({ ...s, ...patch }));

  const saveErrors = error?.problem.errors.map((e) => ({ path: e.path, message: e.message })) ?? [];
  return (
    <SaveForm
      permission="plans:write"
      save={save}
      submitLabel={submitLabel}
      refusedHeader="The plan was not saved"
      onSubmit={() => onSubmit(toDraft(state, actionTypes))}
      onCancel={onCancel}
    >
      <Container header={<Header variant="h2">General</Header>}>
        <ColumnLayout columns={3}>
          <FormField label="Name" errorText={errorText(error, "name")}>
            <Input value={state.name} onChange={({ detail }) => set({ name: detail.value })} />
          </FormField>
          <FormField label="RTO target (minutes)" errorText={errorText(error, "rto_minutes")}>
            <Input type="number" value={state.rto_minutes} onChange={({ detail }) => set({ rto_minutes: detail.value })} />
          </FormField>
          <FormField label="Description" errorText={errorText(error, "description")}>
            <Textarea rows={1} value={state.description} onChange={({ detail }) => set({ description: detail.value })} />
          </FormField>
          <CleanupAfterField value={state.cleanup_after_minutes ?? 0} errorText={errorText(error, "cleanup_after_minutes")}
            onChange={(value) => set({ cleanup_after_minutes: value ?? 0 })} />
        </ColumnLayout>
      </Container>
      <Container header={<Header variant="h2" actions={<ValidationSummary validation={validation} />}>Wave graph</Header>}>
        <WaveGraph waves={state.waves} groupNames={groupNames} />
      </Container>
      <WaveEditor
        waves={state.waves}
        groups={groups}
        errors={[...validation.errors, ...saveErrors]}
        warnings={validation.warnings}
        onChange={(waves) => set({ waves })}
        actionTypes={actionTypes}
      />
    </SaveForm>
  );
}
