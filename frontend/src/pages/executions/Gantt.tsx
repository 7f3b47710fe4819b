/** A timeline (Gantt) of waves and their servers, drawn in SVG. */
import { useState } from "react";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import Toggle from "@cloudscape-design/components/toggle";
import type { Execution } from "../../api/executions";
import { formatDuration } from "../../components/format";

const LABEL = 200;
const ROW = 18;
const CHART = 640;
const MAX_SERVER_ROWS = 200;

const COLORS: Record<string, string> = {
  COMPLETED: "#037f0c", LAUNCHED: "#037f0c", FAILED: "#d91515", RUNNING: "#0972d3", LAUNCHING: "#0972d3",
  HELD: "#8d6605", PENDING: "#8c8c94", SKIPPED: "#8c8c94", CANCELLED: "#5f6b7a", TERMINATED: "#5f6b7a",
};

interface Row {
  key: string;
  label: string;
  status: string;
  start?: string | null;
  end?: string | null;
  wave: boolean;
}

function rowsOf(execution: Execution, withServers: boolean): Row[] {
  return execution.waves.flatMap((w) => [
    { key: `w:${w.name}`, label: w.name, status: w.status, start: w.started_at, end: w.ended_at, wave: true },
    ...(withServers
      ? w.servers.map((s) => ({ key: `s:${s.source_server_id}`, label: s.hostname || s.source_server_id, status: s.status, start: s.started_at, end: s.ended_at, wave: false }))
      : []),
  ]);
}

const ms = (value: string | null | undefined) => (value ? new Date(value).getTime() : Number.NaN);

export function Gantt({ execution }: { execution: Execution }) {
  const total = execution.waves.reduce((n, w) => n + w.servers.length, 0);
  const [showServers, setShowServers] = useState(total <= MAX_SERVER_ROWS);
  const rows = rowsOf(execution, showServers);
  const now = Date.now();
  const starts = rows.map((r) => ms(r.start)).filter(Number.isFinite);
  const t0 = Math.min(...[ms(execution.started_at ?? execution.created_at), ...starts].filter(Number.isFinite));
  const ends = rows.map((r) => (r.end ? ms(r.end) : r.start ? now : Number.NaN));
  const t1 = Math.max(...[t0 + 1000, ms(execution.ended_at), ...ends].filter(Number.isFinite));
  const scale = (t: number) => LABEL + ((t - t0) / (t1 - t0)) * CHART;
  const height = rows.length * ROW + 24;
  return (
    <Container
      header={
        <Header variant="h2" description={`Span: ${formatDuration((t1 - t0) / 1000)}`}
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
                {Number.isFinite(start) && (
                  <rect x={scale(start)} y={y + 3} width={Math.max(2, scale(end) - scale(start))} height={ROW - 6} rx={2}
                    fill={COLORS[r.status] ?? "#0972d3"} opacity={r.wave ? 1 : 0.75}>
                    <title>{`${r.label}: ${r.status}`}</title>
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
