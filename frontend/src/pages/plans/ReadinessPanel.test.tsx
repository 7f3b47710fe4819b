import { render, screen, waitFor } from "@testing-library/react";
import createWrapper from "@cloudscape-design/components/test-utils/dom";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Role } from "../../api/identity";
import type { ReadinessFinding, ReadinessRun } from "../../api/readiness";
import { AsRole } from "../../test/access";
import { fakeApi } from "../../test/fakeApi";
import { ReadinessPanel } from "./ReadinessPanel";
import { NotReadyPlans } from "../dashboard/NotReadyPlans";

const PLAN = "rp-000000000001";
const HISTORY = `GET /api/v1/recovery-plans/${PLAN}/readiness`;
const RUN = `POST /api/v1/recovery-plans/${PLAN}/readiness`;

function finding(severity: ReadinessFinding["severity"], code: string, message: string): ReadinessFinding {
  return { check: code.split("-")[0] ?? code, code, severity, subject: { kind: "server", id: "s-00000000000000007" }, message, detail: {} };
}

function run(status: ReadinessRun["status"], findings: ReadinessFinding[], id = "rr-1"): ReadinessRun {
  const errors = findings.filter((f) => f.severity === "error").length;
  return {
    id, plan_id: PLAN, plan_name: "payroll", trigger: "on_demand", status, by: "rita",
    started_at: "2026-12-01T10:00:00Z", finished_at: "2026-12-01T10:00:01Z", checks: ["replication", "quota"],
    error_count: errors, warning_count: findings.filter((f) => f.severity === "warning").length, findings,
  };
}

const STALLED = run("NOT_READY", [
  finding("warning", "quota-headroom-short", "wave 'db' runs in rounds"),
  finding("info", "plan-running", "running now"),
  finding("error", "replication-unhealthy", "s-00000000000000007 replication is STALLED"),
]);

function renderPanel(role: Role, latest: ReadinessRun | null) {
  let current = latest;
  const fake = fakeApi({
    [HISTORY]: () => ({ body: { latest: current, items: current ? [current] : [], next_cursor: null } }),
    [RUN]: () => {
      current = run("READY", [], "rr-2");
      return { body: current };
    },
  });
  render(<MemoryRouter><AsRole role={role}><ReadinessPanel planId={PLAN} /></AsRole></MemoryRouter>);
  return fake;
}

afterEach(() => vi.unstubAllGlobals());

describe("ReadinessPanel", () => {
  it("shows the latest run's failing checks first, without info notes", async () => {
    renderPanel("viewer", STALLED);
    const table = createWrapper().findTable()!;
    await waitFor(() => expect(table.findRows()).toHaveLength(2));
    expect(table.findBodyCell(1, 3)!.getElement().textContent).toBe("replication-unhealthy");
    expect(table.findBodyCell(2, 3)!.getElement().textContent).toBe("quota-headroom-short");
    expect(screen.getByText("Not ready (1 failing)")).toBeTruthy();
    expect(screen.getByText(/Last checked .* by rita \(on_demand\), 2 checks/)).toBeTruthy();
  });

  it("lets an operator check now and shows the new verdict", async () => {
    const fake = renderPanel("operator", STALLED);
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByRole("button", { name: "Check now" }));
    await waitFor(() => expect(screen.getByText("Every check passed")).toBeTruthy());
    expect(screen.getByText("Ready")).toBeTruthy();
    expect(fake.calls.filter((c) => `${c.method} ${c.path}` === RUN)).toHaveLength(1);
  });

  it("disables Check now for a viewer", async () => {
    renderPanel("viewer", null);
    await waitFor(() => expect(screen.getByText("Run the checks to see whether this plan could run now.")).toBeTruthy());
    const button = createWrapper().findButton()!;
    expect(button.isDisabled()).toBe(true);
    expect(document.body.textContent).not.toContain("Every check passed");
  });
});

describe("NotReadyPlans", () => {
  it("lists only the plans that are not ready, with their failing checks", async () => {
    fakeApi({
      "GET /api/v1/readiness": () => ({ body: { items: [STALLED, { ...run("READY", []), plan_id: "rp-2", plan_name: "shop" }], not_ready: 1 } }),
    });
    render(<MemoryRouter><NotReadyPlans /></MemoryRouter>);
    const table = createWrapper().findTable()!;
    await waitFor(() => expect(table.findRows()).toHaveLength(1));
    expect(table.findBodyCell(1, 1)!.getElement().textContent).toBe("payroll");
    expect(table.findBodyCell(1, 2)!.getElement().textContent).toBe("replication");
    expect(table.findBodyCell(1, 3)!.getElement().textContent).toContain("STALLED");
  });
});
