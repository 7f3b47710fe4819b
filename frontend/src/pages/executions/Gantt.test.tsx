import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Execution, ExecutionServer } from "../../api/executions";
import { Gantt, rtoSummary } from "./Gantt";

const T = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();

function server(id: string, fields: Partial<ExecutionServer>): ExecutionServer {
  return {
    source_server_id: id, hostname: id, account_id: "111122223333", region: "us-east-1",
    group_id: "pg-000000000001", optional: false, status: "LAUNCHED", launch_status: "LAUNCHED",
    job_id: "drsjob-1", recovery_instance_id: `i-${id}`, ec2_instance_id: null,
    started_at: T(0), ended_at: T(10), error: null, terminate_job_id: null, terminated_at: null,
    ...fields,
  };
}

function cleanedDrill(): Execution {
  const servers = [
    server("web-1", { status: "TERMINATED", terminate_job_id: "drsjob-2", terminated_at: T(60) }),
    server("web-2", { status: "FAILED", launch_status: "FAILED", recovery_instance_id: null }),
  ];
  return {
    id: "ex-000000000001", plan_id: "rp-000000000001", plan_name: "shop", type: "DRILL",
    status: "PARTIAL", cleanup_status: "COMPLETED", paused_reason: null, waiting_scopes: [],
    terminate_on_cancel: false, leftovers: [],
    waves: [{ name: "web", status: "COMPLETED", depends_on: [], pause_before: false, servers, started_at: T(0), ended_at: T(10), duration_seconds: 600 }],
    jobs: [],
    timings: { duration_seconds: 600, rto_minutes: 60, rto_achieved_seconds: 540, paused_seconds: 60, within_rto: null },
    started_by: "op", version: 3, created_at: T(0), started_at: T(0), ended_at: T(10), updated_at: T(60),
  };
}

describe("Gantt", () => {
  it("draws the launch and the instance's lifetime apart, ending at termination", () => {
    render(<Gantt execution={cleanedDrill()} />);
    const launches = screen.getAllByTestId("launch-bar");
    expect(launches).toHaveLength(2);
    const launch = launches[0]!;
    // Launch of web-1: 0 -> 10 min on a 0 -> 60 min axis; its instance: 10 -> 60 min.
    const width = (el: Element) => Number(el.getAttribute("width"));
    const x = (el: Element) => Number(el.getAttribute("x"));
    const instance = screen.getAllByTestId("instance-bar")[0]!;
    expect(screen.getAllByTestId("instance-bar")).toHaveLength(1);
    expect(width(launch)).toBeCloseTo(640 / 6, 1);
    expect(x(instance)).toBeCloseTo(x(launch) + width(launch), 1);
    expect(width(instance)).toBeCloseTo((640 * 5) / 6, 1);
    expect(launch.textContent).toBe("web-1: launch LAUNCHED");
    expect(instance.textContent).toContain("terminated 2026-01-01 01:00:00Z");
  });

  it("summarises RTO achieved, the target and the paused time left out", () => {
    const text = rtoSummary({ duration_seconds: 900, rto_minutes: 10, rto_achieved_seconds: 480, paused_seconds: 120, within_rto: true });
    expect(text).toBe("RTO achieved: 8 min 0 s (target 10 min 0 s) · within RTO · paused 2 min 0 s (not counted)");
    expect(rtoSummary({ duration_seconds: 5, rto_minutes: null, rto_achieved_seconds: null, paused_seconds: 0, within_rto: null })).toBe("");
  });
});
