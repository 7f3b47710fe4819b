/** The wave editor's actions: form rows, their API shape, their problems and reordering. */
import type { ActionDraft, ActionType } from "../../api/actions";
import type { PlanProblem } from "../../api/types";

export type Phase = "before" | "after";
export type OnFailure = "fail_wave" | "continue";
export type InDrill = "run" | "skip" | "simulate";

export interface ActionRow {
  key: string;
  name: string;
  type: string;
  phase: Phase;
  /** Field name -> text as typed (numbers and JSON are parsed when sent). */
  params: Record<string, string>;
  account_id: string;
  region: string;
  timeout_minutes: string;
  on_failure: OnFailure;
  /** "" = the type's default. */
  in_drill: InDrill | "";
}

let nextKey = 0;

export function newAction(existing: string[], type = "wait"): ActionRow {
  nextKey += 1;
  const names = new Set(existing);
  let n = existing.length + 1;
  while (names.has(`action-${n}`)) n += 1;
  return {
    key: `action-${nextKey}`,
    name: `action-${n}`,
    type,
    phase: "before",
    params: {},
    account_id: "",
    region: "",
    timeout_minutes: "60",
    on_failure: "fail_wave",
    in_drill: "",
  };
}

export function fromAction(action: ActionDraft): ActionRow {
  nextKey += 1;
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(action.params ?? {})) {
    params[k] = typeof v === "string" ? v : JSON.stringify(v);
  }
  return {
    key: `action-${nextKey}`,
    name: action.name,
    type: action.type,
    phase: action.phase ?? "before",
    params,
    account_id: action.account_id ?? "",
    region: action.region ?? "",
    timeout_minutes: String(action.timeout_minutes ?? 60),
    on_failure: action.on_failure ?? "fail_wave",
    in_drill: action.in_drill ?? "",
  };
}

interface SchemaProperty {
  type?: string;
  anyOf?: { type?: string }[];
}

/** The JSON type of a param from the type's schema (string when unknown). */
export function paramKind(type: ActionType | undefined, field: string): string {
  const props = (type?.params_schema?.properties ?? {}) as Record<string, SchemaProperty>;
  const prop = props[field];
  if (!prop) return "string";
  if (prop.type) return prop.type;
  const first = prop.anyOf?.find((a) => a.type && a.type !== "null");
  return first?.type ?? "string";
}

/** A param's text as the API wants it: numbers, booleans and objects parsed. */
function parsed(kind: string, text: string): unknown {
  if (kind === "integer" || kind === "number") {
    const n = Number(text);
    return text.trim() === "" || Number.isNaN(n) ? text : n;
  }
  if (kind === "boolean") return text === "true";
  if (kind === "object" || kind === "array" || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return text; // the API names the field
    }
  }
  return text;
}

export function toActionDraft(row: ActionRow, types: ActionType[]): ActionDraft {
  const type = types.find((t) => t.name === row.type);
  const params: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row.params)) {
    if (v !== "") params[k] = parsed(paramKind(type, k), v);
  }
  const timeout = Number(row.timeout_minutes);
  return {
    name: row.name.trim(),
    type: row.type,
    phase: row.phase,
    params,
    account_id: row.account_id.trim() || null,
    region: row.region.trim() || null,
    timeout_minutes: Number.isFinite(timeout) && timeout > 0 ? timeout : 60,
    on_failure: row.on_failure,
    in_drill: row.in_drill || null,
  };
}

/** Problems of action `j` of the wave's problems (`waves[i].actions[j]...`). */
export function problemsForAction(problems: PlanProblem[], j: number): PlanProblem[] {
  const marker = `.actions[${j}]`;
  return problems.filter((p) => p.path.includes(`${marker}.`) || p.path.endsWith(marker));
}

/** The message of a field's problems (`name`, `params.url`...), or undefined. */
export function fieldError(problems: PlanProblem[], field: string): string | undefined {
  const found = problems.filter((p) => p.path.endsWith(`.${field}`) || p.path.includes(`.${field}.`));
  return found.map((p) => p.message).join("; ") || undefined;
}

export function moveAction(actions: ActionRow[], index: number, delta: -1 | 1): ActionRow[] {
  const target = index + delta;
  if (target < 0 || target >= actions.length) return actions;
  const copy = [...actions];
  const [moved] = copy.splice(index, 1);
  if (moved) copy.splice(target, 0, moved);
  return copy;
}

/** The params fields of a type, in its schema's order (required first). */
export function paramFields(type: ActionType | undefined): { name: string; label: string; required: boolean; description: string }[] {
  const schema = (type?.params_schema ?? {}) as { properties?: Record<string, { title?: string; description?: string }>; required?: string[] };
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, prop]) => ({
    name,
    label: prop.title ?? name,
    required: required.has(name),
    description: prop.description ?? "",
  }));
}
