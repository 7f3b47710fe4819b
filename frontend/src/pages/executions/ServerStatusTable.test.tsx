import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Execution, ExecutionServer, ServerChanges } from "../../api/executions";
import { fakeApi, fill } from "../../test/fakeApi";
import { ServerStatusTable } from "./ServerStatusTable";

const T0 = "2026-01-01T00:00:00Z";

function server(n: number, fields: Partial<ExecutionServer> = {}): ExecutionServer {
  return {
    wave: n <= 2 ? "db" : "web", source_server_id: `s-${String(n).padStart(17, "0")}`, hostname: `host-${n}`,
    account_id: "111122223333", region: "us-east-1", group_id: "pg-000000000001", optional: false,
    status: "LAUNCHING", launch_status: "IN_PROGRESS", job_id: "drsjob-1", recovery_instance_id: null,
    ec2_instance_id: null, started_at: T0, ended_at: null, error: null, terminate_job_id: null, terminated_at: null,
    ...fields,
  };
}

const EXECUTION = {
  id: "ex-000000000001", server_count: 3, version: 4,
  waves: [{ name: "db", status: "RUNNING", depends_on: [], pause_before: false, started_at: T0, ended_at: null, server_count: 2, counts: { LAUNCHING: 2 } },
    { name: "web", status: "PENDING", depends_on: ["db"], pause_before: false, started_at: null, ended_at: null, server_count: 1, counts: { PENDING: 1 } }],
} as unknown as Execution;

function serve() {
  return fakeApi({
    "GET /api/v1/executions/ex-000000000001/servers": (_body, url) => {
      const wave = url.searchParams.get("wave");
      const rows = [server(1), server(2), server(3, { status: "PENDING" })].filter((s) => !wave || s.wave === wave);
      return { body: { items: rows, next_cursor: null } };
    },
  });
}

function rows(): string[] {
  const table = screen.getByRole("table", { name: "Servers of the execution" });
  return within(table).getAllByRole("row").slice(1).map((r) => r.textContent ?? "");
}

afterEach(() => vi.unstubAllGlobals());

describe("ServerStatusTable", () => {
  it("pages servers through the API and patches the rows the stream says changed", async () => {
    const api = serve();
    const { rerender } = render(<ServerStatusTable execution={EXECUTION} changes={undefined} resyncs={1} />);
    await waitFor(() => expect(rows()).toHaveLength(3));
    expect(api.calls[0]!.path).toBe("/api/v1/executions/ex-000000000001/servers");
    const changes: ServerChanges = { version: 5, items: [server(2, { status: "LAUNCHED", ec2_instance_id: "i-0abc" }), server(9)] };
    rerender(<ServerStatusTable execution={EXECUTION} changes={changes} resyncs={1} />);
    await waitFor(() => expect(rows()[1]).toContain("i-0abc"));
    expect(rows()[1]).toContain("LAUNCHED");
    expect(rows()).toHaveLength(3); // a changed server on no page of ours adds no row
    expect(api.calls).toHaveLength(1); // unfiltered: patched in place, nothing read again
    rerender(<ServerStatusTable execution={EXECUTION} changes={changes} resyncs={2} />);
    await waitFor(() => expect(api.calls).toHaveLength(2)); // the stream reconnected: read again
  });

  it("asks the API for the filters chosen", async () => {
    const api = serve();
    const user = userEvent.setup();
    render(<ServerStatusTable execution={EXECUTION} changes={undefined} resyncs={0} />);
    await waitFor(() => expect(rows()).toHaveLength(3));
    await fill(user, screen.getByLabelText("Find servers of the execution"), "host-1");
    await waitFor(() => expect(api.calls.some((c) => c.path.endsWith("/servers"))).toBe(true));
    await waitFor(() => expect(api.fetchMock.mock.calls.map((c) => String(c[0])).some((u) => u.includes("search=host-1"))).toBe(true));
  });
});
