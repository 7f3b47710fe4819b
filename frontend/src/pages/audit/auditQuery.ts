/** The Audit page's filters as GET /api/v1/audit query parameters. */
import type { DateRangePickerProps } from "@cloudscape-design/components/date-range-picker";
import type { Query } from "../../api/http";

export interface AuditFilters {
  principal: string;
  action: string;
  targetType: string;
  targetId: string;
  outcome: string;
  range: DateRangePickerProps.Value | null;
}

export const NO_FILTERS: AuditFilters = { principal: "", action: "", targetType: "", targetId: "", outcome: "", range: null };

const UNIT_SECONDS: Record<DateRangePickerProps.TimeUnit, number> = {
  second: 1, minute: 60, hour: 3600, day: 86400, week: 604800, month: 2592000, year: 31536000,
};

/** since/until (ISO 8601) of a picked range; a relative one ends now. */
export function rangeBounds(range: DateRangePickerProps.Value | null, now: Date = new Date()): { since?: string; until?: string } {
  if (!range) return {};
  if (range.type === "absolute") {
    return { since: new Date(range.startDate).toISOString(), until: new Date(range.endDate).toISOString() };
  }
  const since = new Date(now.getTime() - range.amount * UNIT_SECONDS[range.unit] * 1000);
  return { since: since.toISOString() };
}

export function auditQuery(filters: AuditFilters, now?: Date): Query {
  return {
    principal: filters.principal.trim(),
    action: filters.action.trim(),
    target_type: filters.targetType.trim(),
    target_id: filters.targetId.trim(),
    outcome: filters.outcome,
    ...rangeBounds(filters.range, now),
  };
}
