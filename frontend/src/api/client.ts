/** One function per API call the UI makes. */
import type { Account, AccountDraft } from "./accounts";
import type {
  Execution,
  ExecutionEvent,
  ExecutionJob,
  ExecutionPreflight,
  ExecutionServer,
  ExecutionStart,
  ExecutionSummary,
  ExecutionTimeline,
} from "./executions";
import { request, type Query } from "./http";
import type { Schedule, ScheduleDraft, SchedulePreview, ScheduleRun } from "./schedules";
import type { AuditRecord, User, UserCreate, UserUpdate } from "./identity";
import type { Channel, ChannelDraft, ChannelSaved, Delivery, Subscription, SubscriptionDraft } from "./notifications";
import type {
  Page,
  PlanValidation,
  ProtectionGroup,
  ProtectionGroupDraft,
  RecoveryPlan,
  RecoveryPlanDraft,
  SelectionPreview,
  SourceServer,
  SyncResult,
} from "./types";

const V1 = "/api/v1";

export const api = {
  listServers: (query: Query, signal?: AbortSignal) =>
    request<Page<SourceServer>>(`${V1}/source-servers`, { query, signal }),
  syncServers: () => request<SyncResult>(`${V1}/source-servers/sync`, { method: "POST" }),

  listGroups: (query: Query = {}, signal?: AbortSignal) =>
    request<Page<ProtectionGroup>>(`${V1}/protection-groups`, { query, signal }),
  getGroup: (id: string, signal?: AbortSignal) =>
    request<ProtectionGroup>(`${V1}/protection-groups/${encodeURIComponent(id)}`, { signal }),
  createGroup: (body: ProtectionGroupDraft) =>
    request<ProtectionGroup>(`${V1}/protection-groups`, { method: "POST", body }),
  updateGroup: (id: string, version: number, body: ProtectionGroupDraft) =>
    request<ProtectionGroup>(`${V1}/protection-groups/${encodeURIComponent(id)}`, {
      method: "PUT",
      body,
      headers: { "If-Match": `"${version}"` },
    }),
  deleteGroup: (id: string, version: number) =>
    request<void>(`${V1}/protection-groups/${encodeURIComponent(id)}`, {
      method: "DELETE",
      headers: { "If-Match": `"${version}"` },
    }),
  previewSelection: (
    body: { account_id: string; region: string; selection: ProtectionGroupDraft["selection"]; group_id?: string },
    signal?: AbortSignal,
  ) => request<SelectionPreview>(`${V1}/protection-groups/preview`, { method: "POST", body, signal }),

  listPlans: (query: Query = {}, signal?: AbortSignal) =>
    request<Page<RecoveryPlan>>(`${V1}/recovery-plans`, { query, signal }),
  getPlan: (id: string, signal?: AbortSignal) =>
    request<RecoveryPlan>(`${V1}/recovery-plans/${encodeURIComponent(id)}`, { signal }),
  createPlan: (body: RecoveryPlanDraft) =>
    request<RecoveryPlan>(`${V1}/recovery-plans`, { method: "POST", body }),
  updatePlan: (id: string, version: number, body: RecoveryPlanDraft) =>
    request<RecoveryPlan>(`${V1}/recovery-plans/${encodeURIComponent(id)}`, {
      method: "PUT",
      body,
      headers: { "If-Match": `"${version}"` },
    }),
  deletePlan: (id: string, version: number) =>
    request<void>(`${V1}/recovery-plans/${encodeURIComponent(id)}`, {
      method: "DELETE",
      headers: { "If-Match": `"${version}"` },
    }),
  validatePlan: (id: string, signal?: AbortSignal) =>
    request<PlanValidation>(`${V1}/recovery-plans/${encodeURIComponent(id)}/validate`, {
      method: "POST",
      signal,
    }),
  validateDraft: (body: RecoveryPlanDraft, signal?: AbortSignal) =>
    request<PlanValidation>(`${V1}/recovery-plans/validate`, { method: "POST", body, signal }),

  listExecutions: (query: Query = {}, signal?: AbortSignal) =>
    request<Page<ExecutionSummary>>(`${V1}/executions`, { query, signal }),
  getExecution: (id: string, signal?: AbortSignal) =>
    request<Execution>(`${V1}/executions/${encodeURIComponent(id)}`, { signal }),
  startExecution: (body: ExecutionStart) =>
    request<Execution>(`${V1}/executions`, { method: "POST", body }),
  preflightExecution: (body: ExecutionStart, signal?: AbortSignal) =>
    request<ExecutionPreflight>(`${V1}/executions/preflight`, { method: "POST", body, signal }),
  executionAction: (id: string, action: ExecutionAction, body?: unknown) =>
    request<Execution>(`${V1}/executions/${encodeURIComponent(id)}/${action}`, {
      method: "POST",
      body,
    }),
  listEvents: (id: string, query: Query = {}, signal?: AbortSignal) =>
    request<Page<ExecutionEvent>>(`${V1}/executions/${encodeURIComponent(id)}/events`, {
      query,
      signal,
    }),
  listRunServers: (id: string, query: Query = {}, signal?: AbortSignal) =>
    request<Page<ExecutionServer>>(`${V1}/executions/${encodeURIComponent(id)}/servers`, {
      query,
      signal,
    }),
  listRunJobs: (id: string, query: Query = {}, signal?: AbortSignal) =>
    request<Page<ExecutionJob>>(`${V1}/executions/${encodeURIComponent(id)}/jobs`, { query, signal }),
  getTimeline: (id: string, signal?: AbortSignal) =>
    request<ExecutionTimeline>(`${V1}/executions/${encodeURIComponent(id)}/timeline`, { signal }),
  listAudit: (query: Query, signal?: AbortSignal) =>
    request<Page<AuditRecord>>(`${V1}/audit`, { query, signal }),

  listUsers: (signal?: AbortSignal) => request<User[]>(`${V1}/users`, { signal }),
  createUser: (body: UserCreate) => request<User>(`${V1}/users`, { method: "POST", body }),
  updateUser: (id: string, body: UserUpdate) =>
    request<User>(`${V1}/users/${encodeURIComponent(id)}`, { method: "PUT", body }),
  resetPassword: (id: string, password: string) =>
    request<void>(`${V1}/users/${encodeURIComponent(id)}/password`, { method: "POST", body: { password } }),

  listAccounts: (signal?: AbortSignal) => request<Account[]>(`${V1}/accounts`, { signal }),
  createAccount: (body: AccountDraft & { account_id: string }) =>
    request<Account>(`${V1}/accounts`, { method: "POST", body }),
  updateAccount: (id: string, version: number, body: AccountDraft) =>
    request<Account>(`${V1}/accounts/${encodeURIComponent(id)}`, {
      method: "PUT",
      body,
      headers: { "If-Match": `"${version}"` },
    }),
  deleteAccount: (id: string, version: number) =>
    request<void>(`${V1}/accounts/${encodeURIComponent(id)}`, {
      method: "DELETE",
      headers: { "If-Match": `"${version}"` },
    }),
  verifyAccount: (id: string) =>
    request<Account>(`${V1}/accounts/${encodeURIComponent(id)}/verify`, { method: "POST" }),

  listChannels: (signal?: AbortSignal) => request<Channel[]>(`${V1}/notification-channels`, { signal }),
  createChannel: (body: ChannelDraft) =>
    request<ChannelSaved>(`${V1}/notification-channels`, { method: "POST", body }),
  updateChannel: (id: string, version: number, body: ChannelDraft) =>
    request<ChannelSaved>(`${V1}/notification-channels/${encodeURIComponent(id)}`, {
      method: "PUT",
      body,
      headers: { "If-Match": `"${version}"` },
    }),
  deleteChannel: (id: string, version: number) =>
    request<void>(`${V1}/notification-channels/${encodeURIComponent(id)}`, {
      method: "DELETE",
      headers: { "If-Match": `"${version}"` },
    }),
  testChannel: (id: string) =>
    request<Delivery>(`${V1}/notification-channels/${encodeURIComponent(id)}/test`, { method: "POST" }),
  rotateChannelSecret: (id: string) =>
    request<ChannelSaved>(`${V1}/notification-channels/${encodeURIComponent(id)}/rotate-secret`, { method: "POST" }),
  listSubscriptions: (signal?: AbortSignal) =>
    request<Subscription[]>(`${V1}/notification-subscriptions`, { signal }),
  createSubscription: (body: SubscriptionDraft) =>
    request<Subscription>(`${V1}/notification-subscriptions`, { method: "POST", body }),
  deleteSubscription: (id: string, version: number) =>
    request<void>(`${V1}/notification-subscriptions/${encodeURIComponent(id)}`, {
      method: "DELETE",
      headers: { "If-Match": `"${version}"` },
    }),
  listDeliveries: (query: Query, signal?: AbortSignal) =>
    request<Page<Delivery>>(`${V1}/notifications`, { query, signal }),
  listSchedules: (signal?: AbortSignal) => request<Schedule[]>(`${V1}/schedules`, { signal }),
  createSchedule: (body: ScheduleDraft) => request<Schedule>(`${V1}/schedules`, { method: "POST", body }),
  updateSchedule: (id: string, version: number, body: ScheduleDraft) =>
    request<Schedule>(`${V1}/schedules/${encodeURIComponent(id)}`, {
      method: "PUT",
      body,
      headers: { "If-Match": `"${version}"` },
    }),
  deleteSchedule: (id: string, version: number) =>
    request<void>(`${V1}/schedules/${encodeURIComponent(id)}`, {
      method: "DELETE",
      headers: { "If-Match": `"${version}"` },
    }),
  listScheduleRuns: (id: string, signal?: AbortSignal) =>
    request<Page<ScheduleRun>>(`${V1}/schedules/${encodeURIComponent(id)}/runs`, { query: { limit: 50 }, signal }),
  previewSchedule: (cron: string, tz: string, signal?: AbortSignal) =>
    request<SchedulePreview>(`${V1}/schedules/preview`, { query: { cron, tz, count: 5 }, signal }),

  streamUrl: (id: string) => `${V1}/executions/${encodeURIComponent(id)}/stream`,
};

export type ExecutionAction = "pause" | "resume" | "cancel" | "terminate-instances";
