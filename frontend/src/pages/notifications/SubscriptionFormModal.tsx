/** Subscribe a channel to some events of one plan (or every plan). */
import { useState } from "react";
import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import FormField from "@cloudscape-design/components/form-field";
import Modal from "@cloudscape-design/components/modal";
import Multiselect from "@cloudscape-design/components/multiselect";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { api } from "../../api/client";
import { EVENT_LABELS, type Channel, type EventKind, type Subscription } from "../../api/notifications";
import { asApiError, type ApiError } from "../../api/problem";
import { useResource } from "../../api/useResource";

const EVENT_OPTIONS = Object.entries(EVENT_LABELS).map(([value, label]) => ({ value, label, description: value }));
const EVERY_PLAN = { value: "", label: "Every plan" };

interface Props {
  channels: Channel[];
  onClose: () => void;
  onDone: (saved: Subscription) => void;
}

export function SubscriptionFormModal({ channels, onClose, onDone }: Props) {
  const plans = useResource((signal) => api.listPlans({ limit: 500 }, signal), []);
  const [channelId, setChannelId] = useState(channels[0]?.id ?? "");
  const [planId, setPlanId] = useState("");
  const [events, setEvents] = useState<string[]>(["execution.failed"]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const channelOptions = channels.map((c) => ({ value: c.id, label: c.name, description: c.type }));
  const planOptions = [EVERY_PLAN, ...(plans.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }))];
  const go = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onDone(await api.createSubscription({ channel_id: channelId, plan_id: planId || null, events: events as EventKind[], enabled: true }));
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal visible header="Add subscription" onDismiss={onClose}
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={onClose}>Cancel</Button>
            <Button variant="primary" loading={busy} disabled={!channelId || events.length === 0} onClick={() => void go()}>Add subscription</Button>
          </SpaceBetween>
        </Box>
      }>
      <SpaceBetween size="m">
        {error && <Alert type="error" header={error.problem.title}>{error.problem.detail}</Alert>}
        <FormField label="Channel">
          <Select selectedOption={channelOptions.find((o) => o.value === channelId) ?? null} options={channelOptions} ariaLabel="Channel"
            onChange={({ detail }) => setChannelId(detail.selectedOption.value ?? "")} />
        </FormField>
        <FormField label="Plan">
          <Select selectedOption={planOptions.find((o) => o.value === planId) ?? EVERY_PLAN} options={planOptions} ariaLabel="Plan"
            statusType={plans.loading ? "loading" : "finished"} onChange={({ detail }) => setPlanId(detail.selectedOption.value ?? "")} />
        </FormField>
        <FormField label="Events" errorText={events.length === 0 ? "Choose at least one event." : undefined}>
          <Multiselect selectedOptions={EVENT_OPTIONS.filter((o) => events.includes(o.value))} options={EVENT_OPTIONS}
            ariaLabel="Events" placeholder="Choose events"
            onChange={({ detail }) => setEvents(detail.selectedOptions.map((o) => o.value as string))} />
        </FormField>
      </SpaceBetween>
    </Modal>
  );
}
