import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ExecutionPreflight, ExecutionStart } from "../../api/executions";
import { FlashProvider } from "../../layout/flash";
import { fakeApi, fill } from "../../test/fakeApi";
import { StartExecutionPage } from "./StartExecutionPage";
import type { Role } from "../../api/identity";
import { AsRole } from "../../test/access";
import { PREFLIGHT_DEBOUNCE_MS } from "./usePreflight";

const PLAN = {
  id: "rp-000000000001",
  name: "storefront",
  description: "",
  rto_minutes: 60,
  waves: [{ name: "db", protection_group_ids: ["pg-000000000001"], depends_on: null, pause_before: false }],
  version: 1,
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
};
const PREFLIGHT_PATH = "/api/v1/executions/preflight";
const STALLED = "wave 'db': s-1 replication is STALLED";

function report(fields: Partial<ExecutionPreflight> = {}): ExecutionPreflight {
  return {
    ok: true,
    plan_id: PLAN.id,
    plan_name: PLAN.name,
    type: "DRILL",
    reasons: [],
    warnings: [],
    waves: [{ name: "db", depends_on: [], pause_before: false, server_count: 2, job_count: 1 }],
    server_count: 2,
    ...fields,
  };
}

/** The routes every test needs; `preflight` answers POST /executions/preflight. */
function routes(preflight: (body: ExecutionStart) => ExecutionPreflight) {
  return {
    [`GET /api/v1/recovery-plans/${PLAN.id}`]: () => ({ body: PLAN }),
    [`POST /api/v1/recovery-plans/${PLAN.id}/validate`]: () => ({
      body: { valid: true, errors: [], warnings: [{ path: "waves[0].servers.s-1", message: STALLED }] },
    }),
    [`POST ${PREFLIGHT_PATH}`]: (body: unknown) => ({ body: preflight(body as ExecutionStart) }),
  };
}

/** A preflight that refuses s-1's unhealthy replication unless allow_unhealthy accepts it. */
function unhealthyUnlessAllowed(body: ExecutionStart): ExecutionPreflight {
  const finding = { reason: "replication-unhealthy", source_server_id: "s-1", replication_state: "STALLED" };
  return body.allow_unhealthy
    ? report({ type: body.type, warnings: [{ ...finding, message: "s-1 replication is STALLED (accepted by allow_unhealthy)" }] })
    : report({ type: body.type, ok: false, reasons: [{ ...finding, message: "s-1 replication is STALLED (start with allow_unhealthy to override)" }] });
}

function renderPage(role: Role = "recovery_manager") {
  render(
    <MemoryRouter initialEntries={[`/plans/${PLAN.id}/start`]}>
      <AsRole role={role}>
      <FlashProvider>
        <Routes>
          <Route path="/plans/:planId/start" element={<StartExecutionPage />} />
          <Route path="/executions/:id" element={<div>execution page</div>} />
        </Routes>
      </FlashProvider>
      </AsRole>
    </MemoryRouter>,
  );
}

function preflightBodies(calls: { method: string; path: string; body: unknown }[]) {
  return calls.filter((c) => c.method === "POST" && c.path === PREFLIGHT_PATH).map((c) => c.body);
}

afterEach(() => vi.unstubAllGlobals());

describe("StartExecutionPage", () => {
  it("shows preflight, asks for the plan name before a recovery, and lists refusals", async () => {
    const api = fakeApi({
      ...routes(() => report()),
      "POST /api/v1/executions": () => ({
        status: 409,
        body: {
          title: "Conflict",
          detail: "cannot start plan 'storefront': replication unhealthy",
          conflicts: [{ reason: "replication-unhealthy", message: "s-1 replication is STALLED" }],
        },
      }),
    });
    const user = userEvent.setup({ delay: null });
    renderPage();

    expect(await screen.findByText("The plan is valid.")).toBeTruthy();
    expect(screen.getByText(STALLED)).toBeTruthy();
    expect(screen.getByText("No other execution of this plan is active.")).toBeTruthy();
    expect(screen.getByText("Ready to start: 2 server(s) in 1 wave(s), 1 DRS job(s).")).toBeTruthy();
    await user.click(screen.getByText("Recovery"));
    const start = screen.getByRole("button", { name: "Start recovery" });
    expect(start.hasAttribute("disabled")).toBe(true);
    await fill(user, screen.getByLabelText("Plan name to confirm"), "storefront");
    await waitFor(() => expect(start.hasAttribute("disabled")).toBe(false));
    await user.click(start);

    expect(await screen.findByText("Preflight refused the start")).toBeTruthy();
    expect(screen.getByText("s-1 replication is STALLED")).toBeTruthy();
    const body = api.calls.find((c) => c.method === "POST" && c.path === "/api/v1/executions")?.body;
    expect(body).toEqual({ plan_id: PLAN.id, type: "RECOVERY", allow_unhealthy: false });
    expect(preflightBodies(api.calls)).toContainEqual({ plan_id: PLAN.id, type: "RECOVERY", allow_unhealthy: false });
  });

  it("shows the server's reasons before starting and asks again when the choice changes", async () => {
    const api = fakeApi({
      ...routes(unhealthyUnlessAllowed),
      "POST /api/v1/executions": () => ({ status: 201, body: { id: "ex-000000000001" } }),
    });
    const user = userEvent.setup({ delay: null });
    renderPage();

    expect(await screen.findByText("s-1 replication is STALLED (start with allow_unhealthy to override)")).toBeTruthy();
    // The validation's warning about the same server is not shown twice.
    expect(screen.queryByText(STALLED)).toBeNull();
    const start = screen.getByRole("button", { name: "Start drill" });
    expect(start.hasAttribute("disabled")).toBe(true);

    await user.click(screen.getByText("Start even if some servers' replication is unhealthy"));
    expect(await screen.findByText("s-1 replication is STALLED (accepted by allow_unhealthy)")).toBeTruthy();
    await waitFor(() => expect(start.hasAttribute("disabled")).toBe(false));
    expect(preflightBodies(api.calls)).toEqual([
      { plan_id: PLAN.id, type: "DRILL", allow_unhealthy: false },
      { plan_id: PLAN.id, type: "DRILL", allow_unhealthy: true },
    ]);
    await user.click(start);
    expect(await screen.findByText("execution page")).toBeTruthy();
  });

  it("blocks on a plan already running, as the server reports it", async () => {
    const running = { reason: "plan-running", execution_id: "ex-000000000009", message: "plan 'storefront' is already running as ex-000000000009 (RUNNING)" };
    fakeApi(routes(() => report({ ok: false, reasons: [running, { reason: "server-busy", source_server_id: "s-2", execution_id: "ex-000000000009", message: "s-2 is in active execution ex-000000000009" }] })));
    renderPage();

    expect(await screen.findByText(running.message)).toBeTruthy();
    expect(screen.getByText("s-2 is in active execution ex-000000000009")).toBeTruthy();
    expect(screen.queryByText("No other execution of this plan is active.")).toBeNull();
    expect(screen.queryByText(/^Ready to start/)).toBeNull();
    expect(screen.getByRole("button", { name: "Start drill" }).hasAttribute("disabled")).toBe(true);
  });

  it("debounces: a choice undone within the delay asks the server nothing new", async () => {
    const api = fakeApi(routes(unhealthyUnlessAllowed));
    const user = userEvent.setup({ delay: null });
    renderPage();
    await screen.findByText(/start with allow_unhealthy to override/);
    const box = screen.getByText("Start even if some servers' replication is unhealthy");

    await user.click(box);
    await user.click(box);
    await new Promise((resolve) => setTimeout(resolve, PREFLIGHT_DEBOUNCE_MS * 2));
    expect(preflightBodies(api.calls)).toHaveLength(1);

    await user.click(screen.getByText("Recovery"));
    await waitFor(() => expect(preflightBodies(api.calls)).toHaveLength(2));
    expect(preflightBodies(api.calls)[1]).toEqual({ plan_id: PLAN.id, type: "RECOVERY", allow_unhealthy: false });
  });

  it("starts a drill with a cleanup hold of its own; a recovery sends none", async () => {
    const api = fakeApi({
      ...routes(() => report()),
      "POST /api/v1/executions": () => ({ status: 201, body: { id: "ex-000000000003" } }),
    });
    const user = userEvent.setup({ delay: null });
    renderPage();
    await screen.findByText("The plan is valid.");
    expect(screen.getByText("As the plan says (clean up at once)")).toBeTruthy();

    await user.click(screen.getByText("Keep"));
    await waitFor(() => expect(preflightBodies(api.calls).at(-1)).toEqual({ plan_id: PLAN.id, type: "DRILL", allow_unhealthy: false, cleanup_after_minutes: "keep" }));
    await user.click(screen.getByText("Recovery"));
    expect(screen.queryByText("Drill cleanup")).toBeNull();
    await waitFor(() => expect(preflightBodies(api.calls).at(-1)).toEqual({ plan_id: PLAN.id, type: "RECOVERY", allow_unhealthy: false }));
    await user.click(screen.getByText("Drill"));
    const start = screen.getByRole("button", { name: "Start drill" });
    await waitFor(() => expect(start.hasAttribute("disabled")).toBe(false));
    await user.click(start);

    expect(await screen.findByText("execution page")).toBeTruthy();
    const body = api.calls.find((c) => c.method === "POST" && c.path === "/api/v1/executions")?.body;
    expect(body).toEqual({ plan_id: PLAN.id, type: "DRILL", allow_unhealthy: false, cleanup_after_minutes: "keep" });
  });

  it("disables Start recovery for an operator, with the role it needs, and still starts a drill", async () => {
    const api = fakeApi({
      ...routes(() => report()),
      "POST /api/v1/executions": () => ({ status: 201, body: { id: "ex-000000000002" } }),
    });
    const user = userEvent.setup({ delay: null });
    renderPage("operator");
    await screen.findByText("The plan is valid.");

    await user.click(screen.getByText("Recovery"));
    await fill(user, screen.getByLabelText("Plan name to confirm"), "storefront");
    const reason = "Needs the recovery_manager role (permission recoveries:start)";
    const recovery = await screen.findByRole("button", { name: "Start recovery" });
    expect(recovery.getAttribute("aria-disabled")).toBe("true");
    expect(screen.getByTestId("start-denied").textContent).toBe(reason);
    await user.click(recovery);
    expect(api.calls.some((c) => c.method === "POST" && c.path === "/api/v1/executions")).toBe(false);

    await user.click(screen.getByText("Drill"));
    expect(screen.queryByTestId("start-denied")).toBeNull();
    const drill = screen.getByRole("button", { name: "Start drill" });
    await waitFor(() => expect(drill.hasAttribute("disabled")).toBe(false));
    expect(drill.getAttribute("aria-disabled")).toBeNull();
    await user.click(drill);
    expect(await screen.findByText("execution page")).toBeTruthy();
  });
});
