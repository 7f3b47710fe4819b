/**
 * The frame of an editor (protection group, recovery plan): Cancel and submit buttons, and
 * a refused save shown above the fields. The form keeps the error (`useSave`) because its
 * fields also show the error's per-field messages.
 */
import { useState, type ReactNode } from "react";
import Button from "@cloudscape-design/components/button";
import Form from "@cloudscape-design/components/form";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { asApiError, type ApiError } from "../api/problem";
import { GuardedButton } from "../session/GuardedButton";
import type { Permission } from "../session/access";
import { ProblemAlert } from "./ProblemAlert";

export interface SaveState {
  saving: boolean;
  /** Why the last save was refused; cleared when the next one starts. */
  error: ApiError | undefined;
  run: (save: () => Promise<void>) => Promise<void>;
}

export function useSave(): SaveState {
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const run = async (save: () => Promise<void>) => {
    setSaving(true);
    setError(undefined);
    try {
      await save();
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setSaving(false);
    }
  };
  return { saving, error, run };
}

export interface SaveFormProps {
  save: SaveState;
  submitLabel: string;
  /** The alert's header when the save is refused: "The group was not saved". */
  refusedHeader: string;
  onSubmit: () => Promise<void>;
  onCancel: () => void;
  /** The permission saving needs; without it the submit button is disabled with the reason. */
  permission: Permission;
  children: ReactNode;
}

export function SaveForm({ save, submitLabel, refusedHeader, onSubmit, onCancel, permission, children }: SaveFormProps) {
  return (
    <Form
      actions={
        <SpaceBetween direction="horizontal" size="xs">
          <Button variant="link" onClick={onCancel}>Cancel</Button>
          <GuardedButton permission={permission} variant="primary" loading={save.saving} onClick={() => void save.run(onSubmit)}>{submitLabel}</GuardedButton>
        </SpaceBetween>
      }
    >
      <SpaceBetween size="l">
        {save.error && <ProblemAlert error={save.error} header={refusedHeader} />}
        {children}
      </SpaceBetween>
    </Form>
  );
}
