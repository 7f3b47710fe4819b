/** The plan form's state, its conversion to the API shape, and the wave graph's layout. */
import type { ActionType } from "../../api/actions";
import type { RecoveryPlan, RecoveryPlanDraft, PlanProblem } from "../../api/types";
import { fromAction, toActionDraft, type ActionRow } from "./actionDraft";

export interface WaveRow {
  key: string;
  name: string;
  protection_group_ids: string[];
  /** null = the default: the previous wave. */
  depends_on: string[] | null;
  pause_before: boolean;
  /** Its non-server steps, in order (absent = none). */
  actions?: ActionRow[];
}

export interface PlanFormState {
  name: string;
  description: string;
  rto_minutes: string;
  waves: WaveRow[];
  /** Minutes an ended drill waits before it cleans up (0: at once), or "keep". */
  cleanup_after_minutes?: number | "keep";
}

let nextKey = 0;
export function newKey(): string {
  nextKey += 1;
  return `wave-${nextKey}`;
}

export function newWave(existing: WaveRow[]): WaveRow {
  const names = new Set(existing.map((w) => w.name));
  let n = existing.length + 1;
  while (names.has(`wave-${n}`)) n += 1;
  return { key: newKey(), name: `wave-${n}`, protection_group_ids: [], depends_on: null, pause_before: false };
}

export function emptyPlan(): PlanFormState {
  return { name: "", description: "", rto_minutes: "", waves: [newWave([])], cleanup_after_minutes: 0 };
}

export function fromPlan(plan: RecoveryPlan): PlanFormState {
  return {
    name: plan.name,
    description: plan.description,
    rto_minutes: plan.rto_minutes == null ? "" : String(plan.rto_minutes),
    waves: plan.waves.map((w) => ({
      key: newKey(),
      name: w.name,
      protection_group_ids: w.protection_group_ids ?? [],
      depends_on: w.depends_on ?? null,
      pause_before: w.pause_before,
      actions: (w.actions ?? []).map(fromAction),
    })),
    cleanup_after_minutes: plan.cleanup_after_minutes ?? 0,
  };
}

/** The API shape; `types` (the action types) tell how to read each action's params. */
export function toDraft(state: PlanFormState, types: ActionType[] = []): RecoveryPlanDraft {
  const rto = Number.parseInt(state.rto_minutes, 10);
  return {
    name: state.name.trim(),
    description: state.description,
    rto_minutes: Number.isFinite(rto) ? rto : null,
    waves: state.waves.map((w) => ({
      name: w.name.trim(),
      protection_group_ids: w.protection_group_ids,
      depends_on: w.depends_on,
      pause_before: w.pause_before,
      // Sent only when the wave has some, so plans without actions read as before.
      ...(w.actions?.length ? { actions: w.actions.map((a) => toActionDraft(a, types)) } : {}),
    })),
    cleanup_after_minutes: state.cleanup_after_minutes ?? 0,
  };
}

/** Rename a wave and every dependency that names it. */
export function renameWave(waves: WaveRow[], index: number, name: string): WaveRow[] {
  const old = waves[index]?.name;
  return waves.map((w, i) => {
    if (i === index) return { ...w, name };
    if (!w.depends_on || old === undefined) return w;
    return { ...w, depends_on: w.depends_on.map((d) => (d === old ? name : d)) };
  });
}

/** Remove a wave and the dependencies on it. */
export function removeWave(waves: WaveRow[], index: number): WaveRow[] {
  const gone = waves[index]?.name;
  return waves
    .filter((_, i) => i !== index)
    .map((w) => (w.depends_on ? { ...w, depends_on: w.depends_on.filter((d) => d !== gone) } : w));
}

export function moveWave(waves: WaveRow[], index: number, delta: -1 | 1): WaveRow[] {
  const target = index + delta;
  if (target < 0 || target >= waves.length) return waves;
  const copy = [...waves];
  const [moved] = copy.splice(index, 1);
  if (moved) copy.splice(target, 0, moved);
  return copy;
}

/** Dependencies with the default filled in (the previous wave). */
export function effectiveDeps(waves: WaveRow[]): Map<string, string[]> {
  const deps = new Map<string, string[]>();
  waves.forEach((w, i) => {
    const previous = waves[i - 1];
    deps.set(w.name, w.depends_on ?? (previous ? [previous.name] : []));
  });
  return deps;
}

/** Problems whose path points into wave `index` (`waves[3]...`). */
export function problemsForWave(problems: PlanProblem[], index: number): PlanProblem[] {
  const prefix = `waves[${index}]`;
  return problems.filter((p) => p.path === prefix || p.path.startsWith(`${prefix}.`) || p.path.startsWith(`${prefix}[`));
}

export interface GraphNode {
  name: string;
  level: number;
  row: number;
}

/** Column (longest dependency chain) and row of each wave; cycles fall back to plan order. */
export function layoutGraph(waves: WaveRow[]): { nodes: GraphNode[]; edges: [string, string][]; cyclic: boolean } {
  const deps = effectiveDeps(waves);
  const level = new Map<string, number>();
  let cyclic = false;
  const visit = (name: string, path: Set<string>): number => {
    const known = level.get(name);
    if (known !== undefined) return known;
    if (path.has(name)) {
      cyclic = true;
      return 0;
    }
    path.add(name);
    const parents = (deps.get(name) ?? []).filter((d) => deps.has(d));
    const value = parents.length ? Math.max(...parents.map((d) => visit(d, path) + 1)) : 0;
    path.delete(name);
    level.set(name, value);
    return value;
  };
  waves.forEach((w) => visit(w.name, new Set()));
  const rows = new Map<number, number>();
  const nodes = waves.map((w) => {
    const l = level.get(w.name) ?? 0;
    const row = rows.get(l) ?? 0;
    rows.set(l, row + 1);
    return { name: w.name, level: l, row };
  });
  const edges: [string, string][] = [];
  for (const [name, parents] of deps) for (const p of parents) if (deps.has(p)) edges.push([p, name]);
  return { nodes, edges, cyclic };
}
