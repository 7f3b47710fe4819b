/** Notifications: channels (with send test), subscriptions, and the delivery history. */
import { useState } from "react";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table, { type TableProps } from "@cloudscape-design/components/table";
import { api } from "../../api/client";
import { channelTarget, EVENT_LABELS, type Channel, type ChannelSaved, type Subscription } from "../../api/notifications";
import { useResource } from "../../api/useResource";
import { ConfirmDeleteModal } from "../../components/ConfirmDeleteModal";
import { Empty } from "../../components/Empty";
import { ProblemAlert } from "../../components/ProblemAlert";
import { useFlash } from "../../layout/flash";
import { Shell } from "../../layout/Shell";
import { GuardedButton } from "../../session/GuardedButton";
import { NeedsPermission } from "../../session/NeedsPermission";
import { ChannelFormModal } from "./ChannelFormModal";
import { DeliveriesTable } from "./DeliveriesTable";
import { SecretModal } from "./SecretModal";
import { SubscriptionFormModal } from "./SubscriptionFormModal";

const CHANNEL_COLUMNS: TableProps.ColumnDefinition<Channel>[] = [
  { id: "name", header: "Name", cell: (c) => c.name, isRowHeader: true },
  { id: "type", header: "Type", cell: (c) => c.type },
  { id: "target", header: "Sends to", cell: (c) => channelTarget(c.config) },
  { id: "enabled", header: "Enabled", cell: (c) => (c.enabled ? "Yes" : "No") },
  { id: "secret", header: "Secret", cell: (c) => (c.secret_set ? "Set" : "-") },
];

type Dialog = "create" | "edit" | "delete" | "subscribe" | undefined;

function Channels({ onSent }: { onSent: () => void }) {
  const channels = useResource((signal) => api.listChannels(signal), []);
  const subscriptions = useResource((signal) => api.listSubscriptions(signal), []);
  const [selectedId, setSelectedId] = useState<string>();
  const [dialog, setDialog] = useState<Dialog>();
  const [secret, setSecret] = useState<ChannelSaved>();
  const [testing, setTesting] = useState(false);
  const flash = useFlash();
  const channel = channels.data?.find((c) => c.id === selectedId);
  const saved = (result: ChannelSaved, verb: string) => {
    setDialog(undefined);
    setSelectedId(result.id);
    flash.notify("success", `Channel ${result.name} ${verb}`);
    if (result.signing_secret) setSecret(result);
    channels.reload();
  };
  const test = async (target: Channel) => {
    setTesting(true);
    try {
      const delivery = await api.testChannel(target.id);
      const last = delivery.attempts[delivery.attempts.length - 1];
      if (delivery.status === "DELIVERED") flash.notify("success", `Test sent over ${target.name}`);
      else flash.notify("error", `Test over ${target.name} failed`, last?.error ?? "");
      onSent();
    } catch (error) {
      flash.notifyError(`Test over ${target.name} failed`, error);
    } finally {
      setTesting(false);
    }
  };
  const rotate = async (target: Channel) => {
    try {
      saved(await api.rotateChannelSecret(target.id), "has a new signing secret");
    } catch (error) {
      flash.notifyError(`Rotating the secret of ${target.name} failed`, error);
    }
  };
  const actions = (
    <SpaceBetween direction="horizontal" size="xs">
      <GuardedButton permission="notifications:write" disabled={!channel} loading={testing} onClick={() => channel && void test(channel)}>Send test</GuardedButton>
      <GuardedButton permission="notifications:write" disabled={channel?.type !== "webhook"} onClick={() => channel && void rotate(channel)}>Rotate secret</GuardedButton>
      <GuardedButton permission="notifications:write" disabled={!channel} onClick={() => setDialog("edit")}>Edit</GuardedButton>
      <GuardedButton permission="notifications:write" disabled={!channel} onClick={() => setDialog("delete")}>Delete</GuardedButton>
      <GuardedButton permission="notifications:write" variant="primary" onClick={() => setDialog("create")}>Add channel</GuardedButton>
    </SpaceBetween>
  );
  return (
    <SpaceBetween size="l">
      {channels.error && <ProblemAlert error={channels.error} onRetry={channels.reload} />}
      <Table variant="full-page" items={channels.data ?? []} columnDefinitions={CHANNEL_COLUMNS} trackBy="id"
        loading={channels.loading} loadingText="Loading channels" selectionType="single" selectedItems={channel ? [channel] : []}
        onSelectionChange={({ detail }) => setSelectedId(detail.selectedItems[0]?.id)}
        ariaLabels={{ tableLabel: "Channels", itemSelectionLabel: (_, c) => `Select ${c.name}`, selectionGroupLabel: "Channel selection" }}
        header={<Header variant="awsui-h1-sticky" counter={`(${channels.data?.length ?? 0})`} actions={actions}
          description="Where drorch sends news of executions, readiness and schedules. Passwords and signing secrets are never shown.">Notifications</Header>}
        empty={<Empty title="No channels" />}
      />
      <Subscriptions list={subscriptions} channels={channels.data ?? []} onAdd={() => setDialog("subscribe")} />
      {dialog === "create" && <ChannelFormModal onClose={() => setDialog(undefined)} onDone={(c) => saved(c, "added")} />}
      {dialog === "edit" && channel && <ChannelFormModal channel={channel} onClose={() => setDialog(undefined)} onDone={(c) => saved(c, "saved")} />}
      {dialog === "delete" && channel && (
        <ConfirmDeleteModal kind="channel" name={channel.name} note="Its subscriptions go with it; its delivery history stays."
          remove={() => api.deleteChannel(channel.id, channel.version)} onClose={() => setDialog(undefined)}
          onDeleted={() => { setDialog(undefined); setSelectedId(undefined); channels.reload(); subscriptions.reload(); }} />
      )}
      {dialog === "subscribe" && (
        <SubscriptionFormModal channels={channels.data ?? []} onClose={() => setDialog(undefined)}
          onDone={() => { setDialog(undefined); flash.notify("success", "Subscription added"); subscriptions.reload(); }} />
      )}
      {secret?.signing_secret && <SecretModal name={secret.name} secret={secret.signing_secret} onClose={() => setSecret(undefined)} />}
    </SpaceBetween>
  );
}

interface SubscriptionsProps {
  list: ReturnType<typeof useResource<Subscription[]>>;
  channels: Channel[];
  onAdd: () => void;
}

function Subscriptions({ list, channels, onAdd }: SubscriptionsProps) {
  const [selectedId, setSelectedId] = useState<string>();
  const [removing, setRemoving] = useState(false);
  const selected = list.data?.find((s) => s.id === selectedId);
  const name = (id: string) => channels.find((c) => c.id === id)?.name ?? id;
  const columns: TableProps.ColumnDefinition<Subscription>[] = [
    { id: "channel", header: "Channel", cell: (s) => name(s.channel_id), isRowHeader: true },
    { id: "plan", header: "Plan", cell: (s) => s.plan_id ?? "Every plan" },
    { id: "events", header: "Events", cell: (s) => s.events.map((e) => EVENT_LABELS[e as keyof typeof EVENT_LABELS] ?? e).join(", ") },
    { id: "enabled", header: "Enabled", cell: (s) => (s.enabled ? "Yes" : "No") },
  ];
  const actions = (
    <SpaceBetween direction="horizontal" size="xs">
      <GuardedButton permission="notifications:write" disabled={!selected} onClick={() => setRemoving(true)}>Delete</GuardedButton>
      <GuardedButton permission="notifications:write" disabled={channels.length === 0} onClick={onAdd}>Add subscription</GuardedButton>
    </SpaceBetween>
  );
  return (
    <>
      {list.error && <ProblemAlert error={list.error} onRetry={list.reload} />}
      <Table items={list.data ?? []} columnDefinitions={columns} trackBy="id" loading={list.loading} loadingText="Loading subscriptions"
        selectionType="single" selectedItems={selected ? [selected] : []}
        onSelectionChange={({ detail }) => setSelectedId(detail.selectedItems[0]?.id)}
        ariaLabels={{ tableLabel: "Subscriptions", itemSelectionLabel: (_, s) => `Select subscription ${s.id}`, selectionGroupLabel: "Subscription selection" }}
        header={<Header counter={`(${list.data?.length ?? 0})`} actions={actions} description="Which events of which plans go to which channel.">Subscriptions</Header>}
        empty={<Empty title="No subscriptions" />}
      />
      {removing && selected && (
        <ConfirmDeleteModal kind="subscription" name={selected.id} note="Its channel stays."
          remove={() => api.deleteSubscription(selected.id, selected.version)} onClose={() => setRemoving(false)}
          onDeleted={() => { setRemoving(false); setSelectedId(undefined); list.reload(); }} />
      )}
    </>
  );
}

export function NotificationsPage() {
  const [sent, setSent] = useState(0);
  return (
    <Shell breadcrumbs={[{ text: "Notifications", href: "/notifications" }]}>
      <NeedsPermission permission="notifications:read">
        <SpaceBetween size="l">
          <Channels onSent={() => setSent((n) => n + 1)} />
          <DeliveriesTable reloadKey={sent} />
        </SpaceBetween>
      </NeedsPermission>
    </Shell>
  );
}
