import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FlashProvider } from "../../layout/flash";
import { fakeApi, fill } from "../../test/fakeApi";
import { StartExecutionPage } from "./StartExecutionPage";

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

function renderPage() {
  render(
    <MemoryRouter initialEntries={[`/plans/${PLAN.id}/start`]}>
      <FlashProvider>
        <Routes>
          <Route path="/plans/:planId/start" element={<StartExecutionPage />} />
          <Route path="/executions/:id" element={<div>execution page</div>} />
        </Routes>
      </FlashProvider>
    </MemoryRouter>,
  );
}

afterEach(() => vi.unstubAllGlobals());

describe("StartExecutionPage", () => {
  it("shows preflight, asks for the plan name before a recovery, and lists refusals", async () => {
    const api = fakeApi({
      [`GET /api/v1/recovery-plans/${PLAN.id}`]: () => ({ body: PLAN }),
      [`POST /api/v1/recovery-plans/${PLAN.id}/validate`]: () => ({
        body: { valid: true, errors: [], warnings: [{ path: "waves[0].servers.s-1", message: "wave 'db': s-1 replication is STALLED" }] },
      }),
      "GET /api/v1/executions": () => ({ body: { items: [], next_cursor: null } }),
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
    expect(screen.getByText("wave 'db': s-1 replication is STALLED")).toBeTruthy();
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
  });
});
