/** Register or edit a target account in a modal; the server's refusal shows in place. */
import { useState } from "react";
import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import FormField from "@cloudscape-design/components/form-field";
import Input from "@cloudscape-design/components/input";
import Modal from "@cloudscape-design/components/modal";
import Multiselect from "@cloudscape-design/components/multiselect";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { DRS_REGIONS, defaultRoleArn, type Account } from "../../api/accounts";
import { api } from "../../api/client";
import { asApiError, type ApiError } from "../../api/problem";
import { errorText } from "../../components/fieldErrors";
import { draftOf, emptyForm, formOf, formProblems, type AccountFormState } from "./accountForm";

const REGION_OPTIONS = DRS_REGIONS.map((value) => ({ value, label: value }));

interface Props {
  /** The account to edit; a new one when absent. */
  account?: Account;
  onClose: () => void;
  onDone: (saved: Account) => void;
}

function save(form: AccountFormState, account: Account | undefined): Promise<Account> {
  const draft = draftOf(form);
  if (account) return api.updateAccount(account.account_id, account.version, draft);
  return api.createAccount({ account_id: form.account_id, ...draft });
}

export function AccountFormModal({ account, onClose, onDone }: Props) {
  const [form, setForm] = useState<AccountFormState>(account ? formOf(account) : emptyForm());
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const set = (patch: Partial<AccountFormState>) => {
    setTouched(true);
    setForm({ ...form, ...patch });
  };
  const problems = formProblems(form);
  const ready = Object.keys(problems).length === 0;
  // Say what is wrong only once the person has typed something.
  const shown = (field: keyof typeof problems) => (touched ? problems[field] : undefined) ?? errorText(error, field);
  const go = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onDone(await save(form, account));
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setBusy(false);
    }
  };
  const submit = account ? "Save" : "Register account";
  return (
    <Modal visible header={account ? `Edit ${account.name}` : "Register target account"} onDismiss={onClose}
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={onClose}>Cancel</Button>
            <Button variant="primary" loading={busy} disabled={!ready} onClick={() => void go()}>{submit}</Button>
          </SpaceBetween>
        </Box>
      }>
      <SpaceBetween size="m">
        {error && <Alert type="error" header={error.problem.title}>{error.problem.detail}</Alert>}
        <FormField label="Account id" constraintText="The 12-digit AWS account id." errorText={shown("account_id")}>
          <Input value={form.account_id} disabled={account !== undefined} inputMode="numeric"
            onChange={({ detail }) => set({ account_id: detail.value.trim() })} />
        </FormField>
        <FormField label="Name" errorText={shown("name")}>
          <Input value={form.name} onChange={({ detail }) => set({ name: detail.value })} />
        </FormField>
        <FormField label="Role ARN" description="The role drorch assumes there; the spoke template creates the default."
          constraintText="Empty for the default." errorText={shown("role_arn")}>
          <Input value={form.role_arn} placeholder={defaultRoleArn(form.account_id || "<account id>")}
            onChange={({ detail }) => set({ role_arn: detail.value })} />
        </FormField>
        <FormField label="Regions" description="Where drorch manages DRS in this account." errorText={shown("regions")}>
          <Multiselect selectedOptions={REGION_OPTIONS.filter((o) => form.regions.includes(o.value))} options={REGION_OPTIONS}
            placeholder="Choose Regions" filteringType="auto" ariaLabel="Regions"
            onChange={({ detail }) => set({ regions: detail.selectedOptions.map((o) => o.value as string) })} />
        </FormField>
      </SpaceBetween>
    </Modal>
  );
}
