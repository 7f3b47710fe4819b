import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { ExecutionTimeline, JobSpan } from "../../api/executions";
import { GanttChart, rowsOf, rtoSummary } from "./Gantt";

const T = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();

function job(id: string, fields: Partial<JobSpan>): JobSpan {
  return {
    batch_id: `b-${id}`, kind: "LAUNCH", job_id: `drsjob-${id}`, state: "DONE", job_status: "COMPLETED",
    account_id: "111122223333", region: "us-east-1", server_count: 2, created_at: T(0),
    started_at: T(0), ended_at: T(10), counts: { TERMINATED: 1, FAILED: 1 }, ...fields,
  };
}

function cleanedDrill(): ExecutionTimeline {
  return {
    execution_id: "ex-000000000001", version: 9, status: "PARTIAL", created_at: T(0), started_at: T(0), ended_at: T(10),
    waves: [{ name: "web", status: "COMPLETED", started_at: T(0), ended_at: T(10), server_count: 2, counts: { TERMINATED: 1, FAILED: 1 }, jobs: [job("1", {})] }],
    cleanup_jobs: [job("2", { kind: "TERMINATE", started_at: T(50), ended_at: T(60), server_count: 1, counts: { TERMINATED: 1 } })],
  };
}

const TIMINGS = { rto_minutes: 60, rto_achieved_seconds: 540, paused_seconds: 60, paused_since: null, within_rto: null };

describe("Gantt", () => {
  it("draws a bar per DRS job and its instances' lifetime up to the cleanup's end", () => {
    render(<GanttChart timeline={cleanedDrill()} timings={TIMINGS} now={Date.parse(T(90))} />);
    const width = (el: Element) => Number(el.getAttribute("width"));
    const x = (el: Element) => Number(el.getAttribute("x"));
    const [launch] = screen.getAllByTestId("launch-bar");
    const [instance] = screen.getAllByTestId("instance-bar");
    expect(screen.getAllByTestId("launch-bar")).toHaveLength(1);
    expect(screen.getAllByTestId("cleanup-bar")).toHaveLength(1);
    // Launch job: 0 -> 10 min on a 0 -> 60 min axis; its instances: 10 -> 60 min.
    expect(width(launch!)).toBeCloseTo(640 / 6, 1);
    expect(x(instance!)).toBeCloseTo(x(launch!) + width(launch!), 1);
    expect(width(instance!)).toBeCloseTo((640 * 5) / 6, 1);
    expect(launch!.textContent).toBe("drsjob-1 (2): LAUNCH 1 TERMINATED, 1 FAILED");
    expect(instance!.textContent).toContain("terminated 2026-01-01 01:00:00Z");
  });

  it("leaves instances running until now while the drill is not cleaned up", () => {
    const timeline = { ...cleanedDrill(), cleanup_jobs: [] };
    const rows = rowsOf(timeline, true);
    expect(rows.map((r) => r.key)).toEqual(["w:web", "j:b-1"]);
    expect(rows[1]!.instance).toEqual({ start: T(10), end: undefined });
    expect(rowsOf(timeline, false).map((r) => r.key)).toEqual(["w:web"]);
  });

  it("summarises RTO achieved, the target and the paused time left out, a lasting pause included", () => {
    const text = rtoSummary({ rto_minutes: 10, rto_achieved_seconds: 480, paused_seconds: 60, paused_since: T(0), within_rto: true }, Date.parse(T(1)));
    expect(text).toBe("RTO achieved: 8 min 0 s (target 10 min 0 s) · within RTO · paused 2 min 0 s (not counted)");
    expect(rtoSummary({ rto_minutes: null, rto_achieved_seconds: null, paused_seconds: 0, paused_since: null, within_rto: null })).toBe("");
  });
});
