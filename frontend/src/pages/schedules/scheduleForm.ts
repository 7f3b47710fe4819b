/** The schedule form's state and the checks made before the server sees it. */
import type { Schedule, ScheduleDraft, ScheduleKind } from "../../api/schedules";

export type Timing = "cron" | "once";

export interface ScheduleFormState {
  name: string;
  kind: ScheduleKind;
  plan_id: string;
  /** Drill only: empty means every wave. */
  waves: string[];
  timing: Timing;
  cron: string;
  timezone: string;
  /** A one-off time with its UTC offset, e.g. 2026-12-05T06:00:00+01:00. */
  at: string;
  retention: string;
  enabled: boolean;
}

/** The browser's own time zone, a sensible default for a person's schedules. */
export function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

export function emptyForm(): ScheduleFormState {
  return {
    name: "", kind: "drill", plan_id: "", waves: [], timing: "cron", cron: "0 6 * * 6",
    timezone: localZone(), at: "", retention: "7", enabled: true,
  };
}

export function formOf(schedule: Schedule): ScheduleFormState {
  return {
    name: schedule.name,
    kind: schedule.kind,
    plan_id: schedule.plan_id ?? "",
    waves: schedule.waves ?? [],
    timing: schedule.cron ? "cron" : "once",
    cron: schedule.cron ?? "",
    timezone: schedule.timezone,
    at: schedule.at ?? "",
    retention: String(schedule.retention ?? 7),
    enabled: schedule.enabled,
  };
}

export interface FormProblems {
  name?: string;
  plan_id?: string;
  cron?: string;
  at?: string;
  retention?: string;
}

/** What is wrong with the form, field by field; empty when it may be sent. */
export function formProblems(form: ScheduleFormState): FormProblems {
  const problems: FormProblems = {};
  if (!form.name.trim()) problems.name = "A name is required.";
  if (form.kind !== "backup" && !form.plan_id) problems.plan_id = "Choose a recovery plan.";
  if (form.timing === "cron" && form.cron.trim().split(/\s+/).length !== 5) {
    problems.cron = "Five fields: minute hour day-of-month month day-of-week.";
  }
  if (form.timing === "once" && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})$/.test(form.at.trim())) {
    problems.at = "A time with its offset, e.g. 2026-12-05T06:00:00+01:00.";
  }
  const kept = Number(form.retention);
  if (form.kind === "backup" && !(Number.isInteger(kept) && kept >= 1 && kept <= 365)) {
    problems.retention = "A whole number from 1 to 365.";
  }
  return problems;
}

export function draftOf(form: ScheduleFormState): ScheduleDraft {
  const backup = form.kind === "backup";
  return {
    name: form.name.trim(),
    kind: form.kind,
    plan_id: backup ? null : form.plan_id,
    waves: form.kind === "drill" && form.waves.length ? form.waves : null,
    cron: form.timing === "cron" ? form.cron.trim() : null,
    timezone: form.timezone.trim() || "UTC",
    at: form.timing === "once" ? form.at.trim() : null,
    enabled: form.enabled,
    retention: backup ? Number(form.retention) : null,
  };
}

/** A UTC time as the zone's wall time, e.g. "Sat, 5 Dec 2026, 06:00 (Europe/Berlin)". */
export function inZone(iso: string, zone: string): string {
  try {
    const text = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone, weekday: "short", day: "numeric", month: "short", year: "numeric",
      hour: "2-digit", minute: "2-digit",
    }).format(new Date(iso));
    return `${text} (${zone})`;
  } catch {
    return iso;
  }
}
