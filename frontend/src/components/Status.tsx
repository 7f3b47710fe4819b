/** Status strings of drorch and DRS as Cloudscape status indicators. */
import StatusIndicator, {
  type StatusIndicatorProps,
} from "@cloudscape-design/components/status-indicator";

const KINDS: Record<string, StatusIndicatorProps.Type> = {
  PENDING: "pending",
  HELD: "stopped",
  RUNNING: "in-progress",
  LAUNCHING: "in-progress",
  IN_PROGRESS: "in-progress",
  STARTED: "in-progress",
  PAUSED: "stopped",
  CANCELLING: "in-progress",
  COMPLETED: "success",
  LAUNCHED: "success",
  SUCCEEDED: "success",
  CONTINUOUS: "success",
  PARTIAL: "warning",
  FAILED: "error",
  CANCELLED: "stopped",
  SKIPPED: "stopped",
  TERMINATED: "stopped",
  NOT_APPLICABLE: "info",
  NOT_STARTED: "pending",
  INCOMPLETE: "warning",
  STALLED: "error",
  DISCONNECTED: "error",
  STOPPED: "stopped",
  NOT_STARTED_LAUNCH: "pending",
  VERIFIED: "success",
  UNVERIFIED: "pending",
  READY: "success",
  NOT_READY: "error",
};

export function statusKind(status: string): StatusIndicatorProps.Type {
  return KINDS[status] ?? "info";
}

export function Status({ value, label }: { value: string | null | undefined; label?: string }) {
  if (!value) return <>-</>;
  return <StatusIndicator type={statusKind(value)}>{label ?? value}</StatusIndicator>;
}
