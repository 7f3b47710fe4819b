/** A timeline (Gantt) of waves and their servers, drawn in SVG. */
import { useState } from "react";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import Toggle from "@cloudscape-design/components/toggle";
import type { Execution, ExecutionServer } from "../../api/executions";
import { formatDuration, formatTime } from "../../components/format";

const LABEL = 200;
const ROW = 18;
const CHART = 640;
const MAX_SERVER_ROWS = 200;

const COLORS: Record<string, string> = {
  COMPLETED: "#037f0c", LAUNCHED: "#037f0c", FAILED: "#d91515", RUNNING: "#0972d3", LAUNCHING: "#0972d3",
  HELD: "#8d6605", PENDING: "#8c8c94", SKIPPED: "#8c8c94", CANCELLED: "#5f6b7a", TERMINATED: "#5f6b7a",
};

/** The instance a launch left running: from the launch's end to its termination (or now). */
const INSTANCE = "#7d8998";

interface Lifetime {
  start: string;
  end?: string | null;
}

interface Row {
  key: string;
  label: string;
  status: string;
  start?: string | null;
  end?: string | null;
  wave: boolean;
  instance?: Lifetime;
}

function lifetimeOf(s: ExecutionServer): Lifetime | undefined {
  // The launch bar ends when the launch did; the instance then lives until cleanup removes it.
  if (s.launch_status !== "LAUNCHED" || !s.ended_at) return undefined;
  return { start: s.ended_at, end: s.terminated_at };
}

function serverRow(s: ExecutionServer): Row {
  const status = s.status === "TERMINATED" ? (s.launch_status ?? s.status) : s.status;
  return {
    key: `s:${s.source_server_id}`, label: s.hostname || s.source_server_id, status,
    start: s.started_at, end: s.ended_at, wave: false, instance: lifetimeOf(s),
  };
}

function rowsOf(execution: Execution, withServers: boolean): Row[] {
  return execution.waves.flatMap((w) => [
    { key: `w:${w.name}`, label: w.name, status: w.status, start: w.started_at, end: w.ended_at, wave: true },
    ...(withServers ? w.servers.map(serverRow) : []),
  ]);
}

/** RTO achieved (pauses left out) against the target, and the time spent paused. */
export function rtoSummary(timings: Execution["timings"]): string {
  const parts: string[] = [];
  if (timings.rto_achieved_seconds != null) {
    const target = timings.rto_minutes != null ? ` (target ${formatDuration(timings.rto_minutes * 60)})` : "";
    parts.push(`RTO achieved: ${formatDuration(timings.rto_achieved_seconds)}${target}`);
  }
  if (timings.within_rto != null) parts.push(timings.within_rto ? "within RTO" : "over RTO");
  if (timings.paused_seconds > 0) parts.push(`paused ${formatDuration(timings.paused_seconds)} (not counted)`);
  return parts.join(" · ");
}

const ms = (value: string | null | undefined) => (value ? new Date(value).getTime() : Number.NaN);

function InstanceBar({ instance, y, now, scale, label }: { instance: Lifetime; y: number; now: number; scale: (t: number) => number; label: string }) {
  const start = ms(instance.start);
  const end = instance.end ? ms(instance.end) : now;
  const state = instance.end ? `terminated ${formatTime(instance.end)}` : "running";
  // A thin bar under the launch bar: how long the recovery instance existed.
  return (
    <rect x={scale(start)} y={y + ROW / 2 - 2} width={Math.max(2, scale(end) - scale(start))} height={4}
      fill={INSTANCE} opacity={0.6} data-testid="instance-bar">
      <title>{`${label}: instance ${state}`}</title>
    </rect>
  );
}

export function Gantt({ execution }: { execution: Execution }) {
  const total = execution.waves.reduce((n, w) => n + w.servers.length, 0);
  const [showServers, setShowServers] = useState(total <= MAX_SERVER_ROWS);
  const rows = rowsOf(execution, showServers);
  const now = Date.now();
  const starts = rows.map((r) => ms(r.start)).filter(Number.isFinite);
  const t0 = Math.min(...[ms(execution.started_at ?? execution.created_at), ...starts].filter(Number.isFinite));
  const ends = rows.flatMap((r) => [
    r.end ? ms(r.end) : r.start ? now : Number.NaN,
    r.instance ? ms(r.instance.end) || now : Number.NaN,
  ]);
  const t1 = Math.max(...[t0 + 1000, ms(execution.ended_at), ...ends].filter(Number.isFinite));
  const scale = (t: number) => LABEL + ((t - t0) / (t1 - t0)) * CHART;
  const height = rows.length * ROW + 24;
  return (
    <Container
      header={
        <Header variant="h2" description={[`Span: ${formatDuration((t1 - t0) / 1000)}`, rtoSummary(execution.timings)].filter(Boolean).join(" · ")}
          actions={<Toggle checked={showServers} onChange={({ detail }) => setShowServers(detail.checked)}>Show servers</Toggle>}>
          Timeline
        </Header>
      }
    >
      <div style={{ overflowX: "auto", maxHeight: 480, overflowY: "auto" }}>
        <svg role="img" aria-label={`Timeline of ${execution.waves.length} waves`} width={LABEL + CHART + 10} height={height} data-testid="gantt">
          {[0, 0.25, 0.5, 0.75, 1].map((f) => (
            <g key={f}>
              <line x1={LABEL + f * CHART} x2={LABEL + f * CHART} y1={0} y2={height - 18} stroke="#e9ebed" />
              <text x={LABEL + f * CHART} y={height - 4} fontSize={10} fill="#414d5c" textAnchor="middle">
                +{formatDuration(((t1 - t0) * f) / 1000)}
              </text>
            </g>
          ))}
          {rows.map((r, i) => {
            const y = i * ROW;
            const start = ms(r.start);
            const end = r.end ? ms(r.end) : now;
            return (
              <g key={r.key}>
                <text x={r.wave ? 4 : 16} y={y + 13} fontSize={r.wave ? 12 : 11} fontWeight={r.wave ? 700 : 400} fill="#000716">
                  {r.label.length > 26 ? `${r.label.slice(0, 25)}…` : r.label}
                </text>
                {r.instance && <InstanceBar instance={r.instance} y={y} now={now} scale={scale} label={r.label} />}
                {Number.isFinite(start) && (
                  <rect x={scale(start)} y={y + 3} width={Math.max(2, scale(end) - scale(start))} height={ROW - 6} rx={2}
                    fill={COLORS[r.status] ?? "#0972d3"} opacity={r.wave ? 1 : 0.75} data-testid={r.wave ? undefined : "launch-bar"}>
                    <title>{`${r.label}: ${r.wave ? r.status : `launch ${r.status}`}`}</title>
                  </rect>
                )}
              </g>
            );
          })}
        </svg>
      </div>
    </Container>
  );
}
