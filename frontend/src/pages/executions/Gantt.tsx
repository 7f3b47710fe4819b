/**
 * A timeline (Gantt) of waves and their DRS jobs, drawn in SVG from the API's aggregated
 * timeline (per wave and per job start, end and counts: no per-server list, whatever the
 * size of the run). Read again when the execution's version moves, at most every 2 s.
 */
import { useEffect, useState } from "react";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import Toggle from "@cloudscape-design/components/toggle";
import { api } from "../../api/client";
import type { StepRun } from "../../api/actions";
import type { Execution, ExecutionTimeline, JobSpan } from "../../api/executions";
import { useResource } from "../../api/useResource";
import { formatDuration, formatTime } from "../../components/format";
import { pausedSeconds } from "./progress";

const LABEL = 200;
const ROW = 18;
const CHART = 640;
const MAX_JOB_ROWS = 200;
const REREAD_MS = 2000;

const COLORS: Record<string, string> = {
  COMPLETED: "#037f0c", LAUNCHED: "#037f0c", FAILED: "#d91515", RUNNING: "#0972d3", LAUNCHING: "#0972d3",
  HELD: "#8d6605", PENDING: "#8c8c94", SKIPPED: "#8c8c94", CANCELLED: "#5f6b7a", TERMINATED: "#5f6b7a",
  ACTIVE: "#0972d3", INTENDED: "#0972d3", DONE: "#037f0c", REJECTED: "#d91515", LOST: "#8c8c94",
  SUCCEEDED: "#037f0c", SIMULATED: "#8d6605",
};

/** The instances a launch left running: from the job's end to the cleanup's end (or now). */
const INSTANCE = "#7d8998";

interface Row {
  key: string;
  label: string;
  status: string;
  start?: string | null;
  end?: string | null;
  wave: boolean;
  testId?: string;
  title: string;
  instance?: { start: string; end?: string | null };
}

function jobLabel(job: JobSpan): string {
  return `${job.job_id ?? job.batch_id} (${job.server_count})`;
}

/** The job's worst outcome colours its bar: any failed server makes it red. */
function jobStatus(job: JobSpan): string {
  if (job.counts.FAILED) return "FAILED";
  if (job.state === "DONE") return "COMPLETED";
  return job.state;
}

function cleanupEnd(timeline: ExecutionTimeline): string | null | undefined {
  const jobs = timeline.cleanup_jobs;
  if (!jobs.length || jobs.some((j) => !j.ended_at)) return undefined;
  return jobs.map((j) => j.ended_at ?? "").sort().at(-1);
}

function jobRow(job: JobSpan, instancesUntil: string | null | undefined): Row {
  const launched = (job.counts.LAUNCHED ?? 0) + (job.counts.TERMINATED ?? 0) > 0;
  const label = jobLabel(job);
  return {
    key: `j:${job.batch_id}`, label, status: jobStatus(job), start: job.started_at, end: job.ended_at,
    wave: false, testId: job.kind === "LAUNCH" ? "launch-bar" : "cleanup-bar",
    title: `${label}: ${job.kind} ${Object.entries(job.counts).map(([s, n]) => `${n} ${s}`).join(", ")}`,
    instance: launched && job.kind === "LAUNCH" && job.ended_at ? { start: job.ended_at, end: instancesUntil } : undefined,
  };
}

/** An action step's bar: from its start to its end (or now while it runs). */
function stepRow(wave: string, step: StepRun): Row {
  return {
    key: `s:${wave}:${step.name}`, label: `${step.name} (${step.type})`, status: step.status, start: step.started_at,
    end: step.ended_at, wave: false, testId: "step-bar",
    title: `${step.name}: ${step.type} ${step.phase} the servers, ${step.status}${step.error ? ` (${step.error})` : ""}`,
  };
}

export function rowsOf(timeline: ExecutionTimeline, withJobs: boolean): Row[] {
  const until = cleanupEnd(timeline);
  const rows = timeline.waves.flatMap((w) => [
    { key: `w:${w.name}`, label: w.name, status: w.status, start: w.started_at, end: w.ended_at, wave: true, title: `${w.name}: ${w.status}` },
    ...(withJobs ? w.jobs.map((j) => jobRow(j, until)) : []),
    ...(w.steps ?? []).map((step) => stepRow(w.name, step)),
  ]);
  if (!timeline.cleanup_jobs.length) return rows;
  return [
    ...rows,
    { key: "cleanup", label: "cleanup", status: until ? "COMPLETED" : "RUNNING", wave: true, title: "drill cleanup",
      start: timeline.cleanup_jobs[0]?.started_at ?? timeline.cleanup_jobs[0]?.created_at, end: until },
    ...(withJobs ? timeline.cleanup_jobs.map((j) => jobRow(j, undefined)) : []),
  ];
}

/** RTO achieved (pauses left out) against the target, and the time spent paused. */
export function rtoSummary(timings: Execution["timings"], now = Date.now()): string {
  const parts: string[] = [];
  if (timings.rto_achieved_seconds != null) {
    const target = timings.rto_minutes != null ? ` (target ${formatDuration(timings.rto_minutes * 60)})` : "";
    parts.push(`RTO achieved: ${formatDuration(timings.rto_achieved_seconds)}${target}`);
  }
  if (timings.within_rto != null) parts.push(timings.within_rto ? "within RTO" : "over RTO");
  const paused = pausedSeconds(timings, now);
  if (paused > 0) parts.push(`paused ${formatDuration(paused)} (not counted)`);
  return parts.join(" · ");
}

const ms = (value: string | null | undefined) => (value ? new Date(value).getTime() : Number.NaN);

/** The version to read the timeline at: the execution's, held back to one change per interval. */
function useThrottled(value: number, interval: number): number {
  const [shown, setShown] = useState(value);
  useEffect(() => {
    if (value === shown) return;
    const timer = setTimeout(() => setShown(value), interval);
    return () => clearTimeout(timer);
  }, [value, shown, interval]);
  return shown;
}

export function Gantt({ execution }: { execution: Execution }) {
  const version = useThrottled(execution.version, REREAD_MS);
  const timeline = useResource((signal) => api.getTimeline(execution.id, signal), [execution.id, version]);
  if (!timeline.data) return null;
  return <GanttChart timeline={timeline.data} timings={execution.timings} />;
}

export function GanttChart({ timeline, timings, now = Date.now() }: { timeline: ExecutionTimeline; timings: Execution["timings"]; now?: number }) {
  const jobs = timeline.waves.reduce((n, w) => n + w.jobs.length, 0) + timeline.cleanup_jobs.length;
  const [showJobs, setShowJobs] = useState(jobs <= MAX_JOB_ROWS);
  const rows = rowsOf(timeline, showJobs);
  const starts = rows.map((r) => ms(r.start)).filter(Number.isFinite);
  const t0 = Math.min(...[ms(timeline.started_at ?? timeline.created_at), ...starts].filter(Number.isFinite));
  const ends = rows.flatMap((r) => [
    r.end ? ms(r.end) : r.start ? now : Number.NaN,
    r.instance ? ms(r.instance.end) || now : Number.NaN,
  ]);
  const t1 = Math.max(...[t0 + 1000, ms(timeline.ended_at), ...ends].filter(Number.isFinite));
  const scale = (t: number) => LABEL + ((t - t0) / (t1 - t0)) * CHART;
  const height = rows.length * ROW + 24;
  return (
    <Container
      header={
        <Header variant="h2" description={[`Span: ${formatDuration((t1 - t0) / 1000)}`, rtoSummary(timings, now)].filter(Boolean).join(" · ")}
          actions={<Toggle checked={showJobs} onChange={({ detail }) => setShowJobs(detail.checked)}>Show DRS jobs</Toggle>}>
          Timeline
        </Header>
      }
    >
      <div style={{ overflowX: "auto", maxHeight: 480, overflowY: "auto" }}>
        <svg role="img" aria-label={`Timeline of ${timeline.waves.length} waves`} width={LABEL + CHART + 10} height={height} data-testid="gantt">
          {[0, 0.25, 0.5, 0.75, 1].map((f) => (
            <g key={f}>
              <line x1={LABEL + f * CHART} x2={LABEL + f * CHART} y1={0} y2={height - 18} stroke="#e9ebed" />
              <text x={LABEL + f * CHART} y={height - 4} fontSize={10} fill="#414d5c" textAnchor="middle">
                +{formatDuration(((t1 - t0) * f) / 1000)}
              </text>
            </g>
          ))}
          {rows.map((r, i) => <GanttRow key={r.key} row={r} y={i * ROW} now={now} scale={scale} />)}
        </svg>
      </div>
    </Container>
  );
}

function GanttRow({ row, y, now, scale }: { row: Row; y: number; now: number; scale: (t: number) => number }) {
  const start = ms(row.start);
  const end = row.end ? ms(row.end) : now;
  return (
    <g>
      <text x={row.wave ? 4 : 16} y={y + 13} fontSize={row.wave ? 12 : 11} fontWeight={row.wave ? 700 : 400} fill="#000716">
        {row.label.length > 26 ? `${row.label.slice(0, 25)}…` : row.label}
      </text>
      {row.instance && <InstanceBar instance={row.instance} y={y} now={now} scale={scale} label={row.label} />}
      {Number.isFinite(start) && (
        <rect x={scale(start)} y={y + 3} width={Math.max(2, scale(end) - scale(start))} height={ROW - 6} rx={2}
          fill={COLORS[row.status] ?? "#0972d3"} opacity={row.wave ? 1 : 0.75} data-testid={row.testId}>
          <title>{row.title}</title>
        </rect>
      )}
    </g>
  );
}

function InstanceBar({ instance, y, now, scale, label }: { instance: { start: string; end?: string | null }; y: number; now: number; scale: (t: number) => number; label: string }) {
  const start = ms(instance.start);
  const end = instance.end ? ms(instance.end) : now;
  const state = instance.end ? `terminated ${formatTime(instance.end)}` : "running";
  // A thin bar under the job's bar: how long its recovery instances existed.
  return (
    <rect x={scale(start)} y={y + ROW / 2 - 2} width={Math.max(2, scale(end) - scale(start))} height={4}
      fill={INSTANCE} opacity={0.6} data-testid="instance-bar">
      <title>{`${label}: instances ${state}`}</title>
    </rect>
  );
}
