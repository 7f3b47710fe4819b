/** Create or edit a schedule in a modal, with the next runs previewed as the cron is typed. */
import { useState } from "react";
import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import FormField from "@cloudscape-design/components/form-field";
import Input from "@cloudscape-design/components/input";
import Modal from "@cloudscape-design/components/modal";
import Multiselect from "@cloudscape-design/components/multiselect";
import RadioGroup from "@cloudscape-design/components/radio-group";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Toggle from "@cloudscape-design/components/toggle";
import { api } from "../../api/client";
import { asApiError, type ApiError } from "../../api/problem";
import { KIND_LABELS, type Schedule, type ScheduleKind } from "../../api/schedules";
import { useResource } from "../../api/useResource";
import { errorText } from "../../components/fieldErrors";
import { useAccess } from "../../session/access";
import { SchedulePreview } from "./SchedulePreview";
import { draftOf, emptyForm, formOf, formProblems, type ScheduleFormState, type Timing } from "./scheduleForm";

interface Props {
  /** The schedule to edit; a new one when absent. */
  schedule?: Schedule;
  onClose: () => void;
  onDone: (saved: Schedule) => void;
}

function save(form: ScheduleFormState, schedule: Schedule | undefined): Promise<Schedule> {
  const draft = draftOf(form);
  return schedule ? api.updateSchedule(schedule.id, schedule.version, draft) : api.createSchedule(draft);
}

export function ScheduleFormModal({ schedule, onClose, onDone }: Props) {
  const [form, setForm] = useState<ScheduleFormState>(schedule ? formOf(schedule) : emptyForm());
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const plans = useResource((signal) => api.listPlans({ limit: 500 }, signal), []);
  const access = useAccess();
  const set = (patch: Partial<ScheduleFormState>) => {
    setTouched(true);
    setForm({ ...form, ...patch });
  };
  const problems = formProblems(form);
  const shown = (field: keyof typeof problems) => (touched ? problems[field] : undefined) ?? errorText(error, field);
  const plan = plans.data?.items.find((p) => p.id === form.plan_id);
  const kinds = (Object.keys(KIND_LABELS) as ScheduleKind[]).map((value) => ({
    value, label: KIND_LABELS[value],
    // Backups need more than schedules:write: say so rather than let the server refuse.
    disabled: value === "backup" && !access.can("backups:write"),
  }));
  const planOptions = (plans.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }));
  const waveOptions = (plan?.waves ?? []).map((w) => ({ value: w.name, label: w.name }));
  const go = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onDone(await save(form, schedule));
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setBusy(false);
    }
  };
  const submit = schedule ? "Save" : "Create schedule";
  return (
    <Modal visible size="large" header={schedule ? `Edit ${schedule.name}` : "Create schedule"} onDismiss={onClose}
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={onClose}>Cancel</Button>
            <Button variant="primary" loading={busy} disabled={Object.keys(problems).length > 0} onClick={() => void go()}>{submit}</Button>
          </SpaceBetween>
        </Box>
      }>
      <SpaceBetween size="m">
        {error && <Alert type="error" header={error.problem.title}>{error.problem.detail}</Alert>}
        <FormField label="Name" errorText={shown("name")}>
          <Input value={form.name} onChange={({ detail }) => set({ name: detail.value })} />
        </FormField>
        <FormField label="Runs" description="Saving makes you the owner: runs act as you.">
          <Select selectedOption={kinds.find((k) => k.value === form.kind) ?? null} options={kinds} ariaLabel="Runs"
            onChange={({ detail }) => set({ kind: detail.selectedOption.value as ScheduleKind, waves: [] })} />
        </FormField>
        {form.kind !== "backup" && (
          <FormField label="Recovery plan" errorText={shown("plan_id") ?? errorText(error, "plan_id")}>
            <Select selectedOption={planOptions.find((o) => o.value === form.plan_id) ?? null} options={planOptions}
              placeholder="Choose a plan" ariaLabel="Recovery plan" statusType={plans.loading ? "loading" : "finished"}
              filteringType="auto" onChange={({ detail }) => set({ plan_id: detail.selectedOption.value ?? "", waves: [] })} />
          </FormField>
        )}
        {form.kind === "drill" && (
          <FormField label="Waves" description="None chosen: every wave." errorText={errorText(error, "waves")}>
            <Multiselect selectedOptions={waveOptions.filter((o) => form.waves.includes(o.value))} options={waveOptions}
              placeholder="Every wave" ariaLabel="Waves"
              onChange={({ detail }) => set({ waves: detail.selectedOptions.map((o) => o.value as string) })} />
          </FormField>
        )}
        {form.kind === "backup" && (
          <FormField label="Archives kept" constraintText="The newest are kept, older ones removed." errorText={shown("retention")}>
            <Input value={form.retention} inputMode="numeric" onChange={({ detail }) => set({ retention: detail.value })} />
          </FormField>
        )}
        <FormField label="When">
          <RadioGroup value={form.timing} onChange={({ detail }) => set({ timing: detail.value as Timing })}
            items={[{ value: "cron", label: "Repeat (cron)" }, { value: "once", label: "Once" }]} />
        </FormField>
        {form.timing === "cron" ? (
          <SpaceBetween size="s">
            <FormField label="Cron expression" constraintText="minute hour day-of-month month day-of-week, e.g. 0 6 * * 6"
              errorText={shown("cron") ?? errorText(error, "cron")}>
              <Input value={form.cron} onChange={({ detail }) => set({ cron: detail.value })} />
            </FormField>
            <FormField label="Time zone" constraintText="An IANA name such as Europe/Berlin." errorText={errorText(error, "timezone")}>
              <Input value={form.timezone} onChange={({ detail }) => set({ timezone: detail.value })} />
            </FormField>
            <SchedulePreview cron={form.cron} timezone={form.timezone} />
          </SpaceBetween>
        ) : (
          <FormField label="At" constraintText="With its UTC offset, e.g. 2026-12-05T06:00:00+01:00." errorText={shown("at") ?? errorText(error, "at")}>
            <Input value={form.at} onChange={({ detail }) => set({ at: detail.value })} />
          </FormField>
        )}
        <Toggle checked={form.enabled} onChange={({ detail }) => set({ enabled: detail.checked })}>Enabled</Toggle>
      </SpaceBetween>
    </Modal>
  );
}
