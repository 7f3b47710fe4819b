/** Create or edit a protection group: scope, selection with live preview, launch settings. */
import { useState } from "react";
import Alert from "@cloudscape-design/components/alert";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import RadioGroup from "@cloudscape-design/components/radio-group";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Textarea from "@cloudscape-design/components/textarea";
import type { ApiError } from "../../api/problem";
import type { ProtectionGroupDraft, SelectionConflict } from "../../api/types";
import { ProblemAlert } from "../../components/ProblemAlert";
import { errorText } from "../../components/fieldErrors";
import { SaveForm, useSave } from "../../components/SaveForm";
import { toDraft, type GroupFormState, type SelectionMode } from "./groupDraft";
import { LaunchDefaultsForm } from "./LaunchDefaultsForm";
import { OverridesEditor } from "./OverridesEditor";
import { PreviewTable } from "./PreviewTable";
import { ServerPicker } from "./ServerPicker";
import { TagEditor } from "./TagEditor";
import { useSelectionPreview } from "./useSelectionPreview";

export interface GroupFormProps {
  initial: GroupFormState;
  groupId?: string;
  submitLabel: string;
  onSubmit: (draft: ProtectionGroupDraft) => Promise<void>;
  onCancel: () => void;
}

function conflictsOf(error: ApiError | undefined): SelectionConflict[] {
  if (!error || error.status !== 409) return [];
  return error.problem.conflicts.filter(
    (c): c is SelectionConflict =>
      typeof c === "object" && c !== null && "source_server_id" in c && "group_name" in c,
  );
}

export function GroupForm({ initial, groupId, submitLabel, onSubmit, onCancel }: GroupFormProps) {
  const [state, setState] = useState<GroupFormState>(initial);
  const save = useSave();
  const { error } = save;
  const preview = useSelectionPreview(state, groupId);
  const set = (patch: Partial<GroupFormState>) => setState((s) => ({ ...s, ...patch }));

  // One entry per server, whether the preview or a refused save reported it.
  const conflicts = [
    ...new Map([...(preview.data?.conflicts ?? []), ...conflictsOf(error)].map((c) => [c.source_server_id, c])).values(),
  ];
  const servers = preview.data?.servers ?? [];
  return (
    <SaveForm
      permission="groups:write"
      save={save}
      submitLabel={submitLabel}
      refusedHeader="The group was not saved"
      onSubmit={() => onSubmit(toDraft(state))}
      onCancel={onCancel}
    >
      <Container header={<Header variant="h2">General</Header>}>
        <ColumnLayout columns={2}>
          <FormField label="Name" errorText={errorText(error, "name")}>
            <Input value={state.name} onChange={({ detail }) => set({ name: detail.value })} />
          </FormField>
          <FormField label="Description" errorText={errorText(error, "description")}>
            <Textarea rows={1} value={state.description} onChange={({ detail }) => set({ description: detail.value })} />
          </FormField>
          <FormField label="AWS account" description="12 digits" errorText={errorText(error, "account_id")}>
            <Input value={state.account_id} inputMode="numeric" onChange={({ detail }) => set({ account_id: detail.value })} />
          </FormField>
          <FormField label="Region" description="e.g. us-east-1" errorText={errorText(error, "region")}>
            <Input value={state.region} onChange={({ detail }) => set({ region: detail.value })} />
          </FormField>
        </ColumnLayout>
      </Container>
      <Container header={<Header variant="h2" description="A server belongs to at most one protection group.">Selection</Header>}>
        <SpaceBetween size="m">
          <FormField label="Select servers" errorText={errorText(error, "selection")}>
            <RadioGroup
              value={state.mode}
              onChange={({ detail }) => set({ mode: detail.value as SelectionMode })}
              items={[
                { value: "tags", label: "By tags", description: "Every listed tag must match." },
                { value: "servers", label: "Explicit servers", description: "Pick servers by hand." },
              ]}
            />
          </FormField>
          {state.mode === "tags" ? (
            <TagEditor tags={state.tags} onChange={(tags) => set({ tags })} errorText={errorText(error, "selection.tags")} />
          ) : (
            <ServerPicker
              accountId={state.account_id.trim()}
              region={state.region.trim()}
              selectedIds={state.serverIds}
              onChange={(serverIds) => set({ serverIds })}
            />
          )}
          {preview.error && <ProblemAlert error={preview.error} header="Preview failed" />}
          {preview.data?.warnings?.length ? (
            <Alert type="warning" header="Warnings (the group can still be saved)" data-testid="group-warnings">
              <ul>{preview.data.warnings.map((w) => <li key={w.path}>{w.message}</li>)}</ul>
            </Alert>
          ) : null}
          <PreviewTable servers={servers} conflicts={conflicts} loading={preview.loading} ready={preview.ready} />
        </SpaceBetween>
      </Container>
      <Container header={<Header variant="h2">Launch defaults</Header>}>
        <LaunchDefaultsForm value={state.launch} onChange={(launch) => set({ launch })} error={error} />
      </Container>
      <Container>
        <OverridesEditor servers={servers} overrides={state.overrides} onChange={(overrides) => set({ overrides })} error={error} />
      </Container>
    </SaveForm>
  );
}
