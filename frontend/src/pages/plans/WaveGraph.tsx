/** A drawing of the wave graph: waves as boxes in dependency columns, arrows for depends_on. */
import { layoutGraph, type WaveRow } from "./planDraft";

const W = 168;
const H = 56;
const GAP_X = 64;
const GAP_Y = 20;
const PAD = 12;

interface Props {
  waves: WaveRow[];
  groupNames: Map<string, string>;
}

function position(level: number, row: number) {
  return { x: PAD + level * (W + GAP_X), y: PAD + row * (H + GAP_Y) };
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function WaveGraph({ waves, groupNames }: Props) {
  const { nodes, edges, cyclic } = layoutGraph(waves);
  const where = new Map(nodes.map((n) => [n.name, position(n.level, n.row)]));
  const levels = Math.max(1, ...nodes.map((n) => n.level + 1));
  const rows = Math.max(1, ...nodes.map((n) => n.row + 1));
  const width = PAD * 2 + levels * W + (levels - 1) * GAP_X;
  const height = PAD * 2 + rows * H + (rows - 1) * GAP_Y;
  const summary = edges.map(([from, to]) => `${to} after ${from}`).join("; ");
  return (
    <svg
      role="img"
      aria-label={`Wave graph: ${waves.length} waves. ${summary || "No dependencies."}${cyclic ? " The graph has a cycle." : ""}`}
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      style={{ maxWidth: "100%", fontFamily: "inherit" }}
      data-testid="wave-graph"
    >
      <defs>
        <marker id="wave-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill="#5f6b7a" />
        </marker>
      </defs>
      {edges.map(([from, to]) => {
        const a = where.get(from);
        const b = where.get(to);
        if (!a || !b) return null;
        const x1 = a.x + W;
        const y1 = a.y + H / 2;
        const x2 = b.x;
        const y2 = b.y + H / 2;
        const back = x2 <= x1;
        const d = back
          ? `M ${a.x + W / 2} ${a.y + H} C ${a.x + W / 2} ${a.y + H + 40}, ${b.x + W / 2} ${b.y + H + 40}, ${b.x + W / 2} ${b.y + H}`
          : `M ${x1} ${y1} C ${x1 + GAP_X / 2} ${y1}, ${x2 - GAP_X / 2} ${y2}, ${x2} ${y2}`;
        return <path key={`${from}->${to}`} d={d} fill="none" stroke={back ? "#d91515" : "#5f6b7a"} strokeWidth={1.5} markerEnd="url(#wave-arrow)" />;
      })}
      {waves.map((wave, i) => {
        const p = where.get(wave.name) ?? position(0, i);
        const groups = wave.protection_group_ids.map((g) => groupNames.get(g) ?? g).join(", ");
        return (
          <g key={wave.key} transform={`translate(${p.x} ${p.y})`}>
            <rect width={W} height={H} rx={8} fill="#ffffff" stroke={wave.pause_before ? "#0972d3" : "#8c8c94"} strokeWidth={wave.pause_before ? 2 : 1} strokeDasharray={wave.pause_before ? "5 3" : undefined} />
            <text x={10} y={21} fontSize={14} fontWeight={700} fill="#000716">
              {wave.pause_before ? "⏸ " : ""}
              {truncate(wave.name || "(unnamed)", 18)}
            </text>
            <text x={10} y={41} fontSize={12} fill="#414d5c">
              {truncate(groups || "no groups", 24)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
