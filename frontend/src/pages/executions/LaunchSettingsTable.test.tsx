import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Execution, ExecutionServer } from "../../api/executions";
import { LaunchSettingsTable, launchSettingsRows } from "./LaunchSettingsTable";

const T = new Date(Date.UTC(2026, 0, 1)).toISOString();
const wanted = {
  subnet_id: "subnet-0a1b2c3d", security_group_ids: ["sg-0a1b", "sg-2c3d"], instance_type: "m5.large",
  static_private_ip: "10.0.2.50", copy_private_ip: false, copy_tags: true, byol: true,
  right_sizing: "NONE" as const, launch_disposition: "STOPPED" as const,
};

function server(id: string, settings: ExecutionServer["launch_settings"]): ExecutionServer {
  return {
    source_server_id: id, hostname: id, account_id: "111122223333", region: "us-east-1",
    group_id: "pg-000000000001", optional: false, status: "LAUNCHED", launch_status: "LAUNCHED",
    job_id: "drsjob-1", recovery_instance_id: null, ec2_instance_id: null, started_at: T, ended_at: T,
    error: null, terminate_job_id: null, terminated_at: null, launch_settings: settings,
  };
}

function execution(servers: ExecutionServer[]): Execution {
  return {
    id: "ex-000000000001", plan_id: "rp-000000000001", plan_name: "shop", type: "DRILL",
    status: "COMPLETED", cleanup_status: "NOT_STARTED", paused_reason: null, waiting_scopes: [],
    terminate_on_cancel: false, leftovers: [],
    waves: [{ name: "web", status: "COMPLETED", depends_on: [], pause_before: false, servers, started_at: T, ended_at: T, duration_seconds: 1 }],
    jobs: [],
    timings: { duration_seconds: 1, rto_minutes: 60, rto_achieved_seconds: 1, paused_seconds: 0, within_rto: true },
    started_by: "op", version: 1, created_at: T, started_at: T, ended_at: T, updated_at: T,
  };
}

const record = (changed: boolean) => ({
  wanted, state: "APPLIED" as const, changed, previous_drs: {}, drs_changes: {}, template_id: "lt-0abc",
  previous_template_version: 1, previous_template: {}, template_version: 2, template_changes: {}, error: null,
});

describe("LaunchSettingsTable", () => {
  it("shows what each launched server was launched with, and whether drorch changed it", () => {
    render(<LaunchSettingsTable execution={execution([server("web-1", record(true)), server("web-2", record(false)), server("db-1", null)])} />);
    expect(screen.getAllByText("subnet-0a1b2c3d")).toHaveLength(2);
    expect(screen.getAllByText("sg-0a1b, sg-2c3d")).toHaveLength(2);
    expect(screen.getAllByText("lt-0abc v2")).toHaveLength(2);
    expect(screen.getByText("Applied")).toBeTruthy();
    expect(screen.getByText("Already in place")).toBeTruthy();
    expect(screen.queryByText("db-1")).toBeNull();
  });

  it("renders nothing before any server launched", () => {
    const ex = execution([server("web-1", null)]);
    expect(launchSettingsRows(ex)).toEqual([]);
    const { container } = render(<LaunchSettingsTable execution={ex} />);
    expect(container.textContent).toBe("");
  });
});
