import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { ExecutionServer } from "../../api/executions";
import { LaunchSettingsTable, launchSettingsRows } from "./LaunchSettingsTable";

const T = new Date(Date.UTC(2026, 0, 1)).toISOString();
const wanted = {
  subnet_id: "subnet-0a1b2c3d", security_group_ids: ["sg-0a1b", "sg-2c3d"], instance_type: "m5.large",
  static_private_ip: "10.0.2.50", copy_private_ip: false, copy_tags: true, byol: true,
  right_sizing: "NONE" as const, launch_disposition: "STOPPED" as const,
};

function server(id: string, settings: ExecutionServer["launch_settings"]): ExecutionServer {
  return {
    wave: "web", source_server_id: id, hostname: id, account_id: "111122223333", region: "us-east-1",
    group_id: "pg-000000000001", optional: false, status: "LAUNCHED", launch_status: "LAUNCHED",
    job_id: "drsjob-1", recovery_instance_id: null, ec2_instance_id: null, started_at: T, ended_at: T,
    error: null, terminate_job_id: null, terminated_at: null, launch_settings: settings,
  };
}

const record = (changed: boolean) => ({
  wanted, state: "APPLIED" as const, changed, previous_drs: {}, drs_changes: {}, template_id: "lt-0abc",
  previous_template_version: 1, previous_template: {}, template_version: 2, template_changes: {}, error: null,
});

describe("LaunchSettingsTable", () => {
  it("shows what each launched server was launched with, and whether drorch changed it", () => {
    render(<LaunchSettingsTable servers={[server("web-1", record(true)), server("web-2", record(false)), server("db-1", null)]} />);
    expect(screen.getAllByText("subnet-0a1b2c3d")).toHaveLength(2);
    expect(screen.getAllByText("sg-0a1b, sg-2c3d")).toHaveLength(2);
    expect(screen.getAllByText("lt-0abc v2")).toHaveLength(2);
    expect(screen.getByText("Applied")).toBeTruthy();
    expect(screen.getByText("Already in place")).toBeTruthy();
    expect(screen.queryByText("db-1")).toBeNull();
  });

  it("renders nothing before any server launched", () => {
    const servers = [server("web-1", null)];
    expect(launchSettingsRows(servers)).toEqual([]);
    const { container } = render(<LaunchSettingsTable servers={servers} />);
    expect(container.textContent).toBe("");
  });
});
