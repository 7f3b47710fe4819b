/** The channel form's state, its checks before the server sees it, and the body it sends. */
import type { Channel, ChannelDraft, ChannelType } from "../../api/notifications";

export interface ChannelFormState {
  name: string;
  type: ChannelType;
  url: string;
  topic_arn: string;
  host: string;
  port: string;
  tls: "none" | "starttls" | "ssl";
  sender: string;
  recipients: string;
  username: string;
  /** Empty on edit keeps the stored password. */
  password: string;
}

export function emptyChannelForm(): ChannelFormState {
  return { name: "", type: "webhook", url: "", topic_arn: "", host: "", port: "587", tls: "starttls", sender: "", recipients: "", username: "", password: "" };
}

export function channelFormOf(channel: Channel): ChannelFormState {
  const form = { ...emptyChannelForm(), name: channel.name, type: channel.type };
  const config = channel.config;
  if (config.type === "webhook") return { ...form, url: config.url };
  if (config.type === "sns") return { ...form, topic_arn: config.topic_arn };
  return {
    ...form, host: config.host, port: String(config.port ?? 587), tls: config.tls ?? "starttls", sender: config.sender,
    recipients: config.recipients.join(", "), username: config.username ?? "",
  };
}

export type ChannelProblems = Partial<Record<"name" | "url" | "topic_arn" | "host" | "port" | "sender" | "recipients", string>>;

const EMAIL = /^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$/;
const TOPIC = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[\w-]{1,256}$/;

export function recipientsOf(text: string): string[] {
  return text.split(/[,\s]+/).map((r) => r.trim()).filter(Boolean);
}

/** What is wrong with the form, field by field; empty when it may be sent. */
export function channelProblems(form: ChannelFormState): ChannelProblems {
  const problems: ChannelProblems = {};
  if (!form.name.trim()) problems.name = "A name is required.";
  if (form.type === "webhook" && !/^https?:\/\/\S+$/.test(form.url.trim())) problems.url = "An http:// or https:// URL.";
  if (form.type === "sns" && !TOPIC.test(form.topic_arn.trim())) problems.topic_arn = "arn:aws:sns:<region>:<account>:<topic>";
  if (form.type === "email") {
    if (!form.host.trim()) problems.host = "The SMTP server's host name.";
    const port = Number(form.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) problems.port = "A port from 1 to 65535.";
    if (!EMAIL.test(form.sender.trim())) problems.sender = "An email address.";
    const recipients = recipientsOf(form.recipients);
    if (recipients.length === 0 || !recipients.every((r) => EMAIL.test(r))) problems.recipients = "One or more email addresses, separated by commas.";
  }
  return problems;
}

/** The request body; an email password is sent only when typed (else the stored one stays). */
export function channelDraftOf(form: ChannelFormState, enabled = true): ChannelDraft {
  const name = form.name.trim();
  if (form.type === "webhook") return { name, enabled, config: { type: "webhook", url: form.url.trim() } };
  if (form.type === "sns") return { name, enabled, config: { type: "sns", topic_arn: form.topic_arn.trim() } };
  const config = {
    type: "email" as const, host: form.host.trim(), port: Number(form.port), tls: form.tls, sender: form.sender.trim(),
    recipients: recipientsOf(form.recipients), username: form.username.trim() || null,
  };
  return form.password ? { name, enabled, config, password: form.password } : { name, enabled, config };
}
