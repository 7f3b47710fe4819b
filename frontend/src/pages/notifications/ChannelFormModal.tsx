/** Create or edit a notification channel in a modal; the server's refusal shows in place. */
import { useState } from "react";
import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import FormField from "@cloudscape-design/components/form-field";
import Input from "@cloudscape-design/components/input";
import Modal from "@cloudscape-design/components/modal";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { api } from "../../api/client";
import type { Channel, ChannelSaved } from "../../api/notifications";
import { asApiError, type ApiError } from "../../api/problem";
import { errorText } from "../../components/fieldErrors";
import { channelDraftOf, channelFormOf, channelProblems, emptyChannelForm, type ChannelFormState } from "./channelForm";

const TYPES = [
  { value: "webhook", label: "Webhook (signed HTTP POST)" },
  { value: "email", label: "Email (SMTP)" },
  { value: "sns", label: "Amazon SNS topic" },
];
const TLS = [
  { value: "starttls", label: "STARTTLS" },
  { value: "ssl", label: "TLS from the start" },
  { value: "none", label: "None" },
];

interface Props {
  channel?: Channel;
  onClose: () => void;
  onDone: (saved: ChannelSaved) => void;
}

function save(form: ChannelFormState, channel: Channel | undefined): Promise<ChannelSaved> {
  if (channel) return api.updateChannel(channel.id, channel.version, channelDraftOf(form, channel.enabled));
  return api.createChannel(channelDraftOf(form));
}

export function ChannelFormModal({ channel, onClose, onDone }: Props) {
  const [form, setForm] = useState<ChannelFormState>(channel ? channelFormOf(channel) : emptyChannelForm());
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const set = (patch: Partial<ChannelFormState>) => {
    setTouched(true);
    setForm({ ...form, ...patch });
  };
  const problems = channelProblems(form);
  const ready = Object.keys(problems).length === 0;
  const shown = (field: keyof typeof problems, path = field as string) =>
    (touched ? problems[field] : undefined) ?? errorText(error, path) ?? errorText(error, `config.${path}`);
  const go = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onDone(await save(form, channel));
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setBusy(false);
    }
  };
  const text = (label: string, field: keyof ChannelFormState & keyof typeof problems, extra: { description?: string; type?: "text" | "number" } = {}) => (
    <FormField label={label} description={extra.description} errorText={shown(field)}>
      <Input value={form[field]} type={extra.type ?? "text"} ariaLabel={label} onChange={({ detail }) => set({ [field]: detail.value })} />
    </FormField>
  );
  return (
    <Modal visible header={channel ? `Edit ${channel.name}` : "Add channel"} onDismiss={onClose}
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={onClose}>Cancel</Button>
            <Button variant="primary" loading={busy} disabled={!ready} onClick={() => void go()}>{channel ? "Save" : "Add channel"}</Button>
          </SpaceBetween>
        </Box>
      }>
      <SpaceBetween size="m">
        {error && <Alert type="error" header={error.problem.title}>{error.problem.detail}</Alert>}
        {text("Name", "name")}
        <FormField label="Type">
          <Select selectedOption={TYPES.find((t) => t.value === form.type) ?? null} options={TYPES} ariaLabel="Type"
            onChange={({ detail }) => set({ type: detail.selectedOption.value as ChannelFormState["type"] })} />
        </FormField>
        {form.type === "webhook" && text("URL", "url", { description: "drorch POSTs signed JSON here; the signing secret is shown once, after saving." })}
        {form.type === "sns" && text("Topic ARN", "topic_arn", { description: "Published to with the hub's credentials." })}
        {form.type === "email" && (
          <SpaceBetween size="m">
            {text("SMTP host", "host")}
            {text("Port", "port", { type: "number" })}
            <FormField label="Encryption">
              <Select selectedOption={TLS.find((t) => t.value === form.tls) ?? null} options={TLS} ariaLabel="Encryption"
                onChange={({ detail }) => set({ tls: detail.selectedOption.value as ChannelFormState["tls"] })} />
            </FormField>
            {text("From", "sender")}
            {text("To", "recipients", { description: "Addresses separated by commas." })}
            <FormField label="Username" description="Leave empty when the server needs no login.">
              <Input value={form.username} ariaLabel="Username" onChange={({ detail }) => set({ username: detail.value })} />
            </FormField>
            <FormField label="Password" description={channel?.secret_set ? "Set. Leave empty to keep it." : "Write-only: never shown again."}>
              <Input value={form.password} type="password" ariaLabel="Password" onChange={({ detail }) => set({ password: detail.value })} />
            </FormField>
          </SpaceBetween>
        )}
      </SpaceBetween>
    </Modal>
  );
}
