/** Friendly names for the notification API's generated types (docs/operations.md). */
import type { components } from "./schema";

type Schemas = components["schemas"];

export type Channel = Schemas["ChannelRead"];
export type ChannelSaved = Schemas["ChannelSavedRead"];
export type ChannelDraft = Schemas["ChannelCreate"];
export type ChannelConfig = Channel["config"];
export type EmailConfig = Schemas["EmailConfig"];
export type Subscription = Schemas["SubscriptionRead"];
export type SubscriptionDraft = Schemas["SubscriptionCreate"];
export type Delivery = Schemas["DeliveryRead"];
export type Attempt = Schemas["Attempt"];
export type EventKind = Schemas["EventKind"];
export type ChannelType = Schemas["ChannelType"];

/** The events a subscription can ask for, with the words the UI shows. */
export const EVENT_LABELS: Record<Exclude<EventKind, "test">, string> = {
  "execution.started": "Execution started",
  "execution.paused": "Execution paused",
  "execution.awaiting_approval": "Awaiting approval",
  "execution.completed": "Execution completed",
  "execution.partial": "Execution partly completed",
  "execution.failed": "Execution failed",
  "execution.cancelled": "Execution cancelled",
  "execution.cleanup_incomplete": "Drill cleanup incomplete",
  "execution.stuck": "Execution stuck",
  "readiness.failed": "Readiness failed",
  "readiness.recovered": "Readiness recovered",
  "schedule.skipped": "Scheduled run skipped",
};

/** Where a channel sends, in a few words. */
export function channelTarget(config: ChannelConfig): string {
  if (config.type === "webhook") return config.url;
  if (config.type === "sns") return config.topic_arn;
  return `${config.recipients.join(", ")} via ${config.host}:${config.port ?? 587}`;
}
