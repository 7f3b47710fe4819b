import { act, render, screen, waitFor, within } from "@testing-library/react";
import createWrapper from "@cloudscape-design/components/test-utils/dom";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Role } from "../../api/identity";
import type { Schedule, ScheduleRun } from "../../api/schedules";
import { FlashProvider, useFlash } from "../../layout/flash";
import { AsRole } from "../../test/access";
import { fakeApi, fill, type Answer } from "../../test/fakeApi";
import { SchedulesPage } from "./SchedulesPage";
import { draftOf, emptyForm, formProblems, inZone } from "./scheduleForm";

const AT = "2026-12-01T10:00:00Z";
const PLAN = {
  id: "rp-000000000001", name: "storefront", description: "", rto_minutes: null, version: 1, created_at: AT, updated_at: AT,
  waves: [{ name: "db", protection_group_ids: [], depends_on: null, pause_before: false }, { name: "app", protection_group_ids: [], depends_on: null, pause_before: false }],
};

function schedule(id: string, name: string, last_run: ScheduleRun | null = null): Schedule {
  return {
    id, name, kind: "drill", plan_id: PLAN.id, waves: null, cron: "0 6 * * 6", timezone: "Europe/Berlin", at: null,
    enabled: true, retention: null, owner: { subject: "u-olga", username: "olga", role: "operator" }, created_by: "olga",
    next_due_at: "2026-12-05T05:00:00Z", next_runs: ["2026-12-05T05:00:00Z"], description: "At 06:00 on Saturday",
    last_run, version: 3, created_at: AT, updated_at: AT,
  };
}

const SKIPPED: ScheduleRun = {
  id: "sr-000000000001", schedule_id: "sc-000000000001", due_at: "2026-11-28T05:00:00Z", claimed_at: "2026-11-28T05:00:04Z",
  claimed_by: "host:1:abc", status: "SKIPPED", late: true, missed: 2, finished_at: "2026-11-28T05:00:05Z", execution_id: null,
  message: "cannot start", reasons: [{ reason: "plan-running", message: "plan 'storefront' is already running as ex-1 (RUNNING)" }], detail: {},
};
const WEEKLY = schedule("sc-000000000001", "weekly", SKIPPED);

function FlashMessages() {
  const { items } = useFlash();
  return <ul aria-label="Flash messages">{items.map((item) => <li key={item.id}>{String(item.header)}: {String(item.content ?? "")}</li>)}</ul>;
}

function renderPage(role: Role = "operator", routes: Record<string, () => Answer> = {}) {
  const fake = fakeApi({
    "GET /api/v1/schedules": () => ({ body: [WEEKLY] }),
    "GET /api/v1/recovery-plans": () => ({ body: { items: [PLAN], next_cursor: null } }),
    "GET /api/v1/schedules/sc-000000000001/runs": () => ({ body: { items: [SKIPPED], next_cursor: null } }),
    "GET /api/v1/schedules/preview": () => ({ body: { times: ["2026-12-05T05:00:00Z", "2026-12-12T05:00:00Z"], description: "At 06:00 on Saturday", timezone: "Europe/Berlin" } }),
    "POST /api/v1/schedules": (body) => ({ status: 201, body: { ...schedule("sc-000000000002", "x"), ...(body as object) } }),
    ...routes,
  });
  render(<MemoryRouter><AsRole role={role}><FlashProvider><FlashMessages /><SchedulesPage /></FlashProvider></AsRole></MemoryRouter>);
  return fake;
}

afterEach(() => vi.unstubAllGlobals());

describe("SchedulesPage", () => {
  it("lists schedules and shows the selected one's runs with the skip reason", async () => {
    renderPage();
    const table = createWrapper().findTable()!;
    await waitFor(() => expect(table.findRows()).toHaveLength(1));
    await waitFor(() => expect(table.findBodyCell(1, 4)!.getElement().textContent).toBe("storefront"));
    expect(table.findBodyCell(1, 5)!.getElement().textContent).toBe("At 06:00 on Saturday (Europe/Berlin)");
    expect(table.findBodyCell(1, 8)!.getElement().textContent).toBe("SKIPPED");
    expect(table.findBodyCell(1, 9)!.getElement().textContent).toBe("olga");
    const user = userEvent.setup({ delay: null });
    await user.click(screen.getByRole("radio", { name: "Select weekly" }));
    expect(await screen.findByText("plan 'storefront' is already running as ex-1 (RUNNING)")).toBeTruthy();
    expect(screen.getByText("late, stood for 3 runs")).toBeTruthy();
  });

  it("creates a drill of chosen waves with the next runs previewed", async () => {
    const fake = renderPage();
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByRole("button", { name: "Create schedule" }));
    const dialog = screen.getByRole("dialog");
    const inside = within(dialog);
    await fill(user, inside.getByLabelText("Name"), "saturday");
    const wrapper = createWrapper(dialog);
    const plan = wrapper.findSelect('[aria-label="Recovery plan"]') ?? wrapper.findAllSelects()[1]!;
    act(() => plan.openDropdown());
    act(() => plan.selectOptionByValue(PLAN.id));
    const waves = wrapper.findMultiselect()!;
    act(() => waves.openDropdown());
    act(() => waves.selectOptionByValue("db"));
    const zone = inside.getByLabelText("Time zone");
    await user.clear(zone);
    await fill(user, zone, "Europe/Berlin");
    const preview = await screen.findByRole("region", { name: "Next runs" }, { timeout: 3000 });
    expect(within(preview).getAllByRole("listitem")).toHaveLength(2);
    // Asked again once the zone has stopped changing: times shown as Berlin's wall time.
    await waitFor(() => expect(screen.getByRole("region", { name: "Next runs" }).textContent).toContain("06:00 (Europe/Berlin)"), { timeout: 3000 });
    expect(fake.calls.some((c) => c.path === "/api/v1/schedules/preview")).toBe(true);
    await user.click(inside.getByRole("button", { name: "Create schedule" }));

    expect(await screen.findByText(/^Schedule saturday created/)).toBeTruthy();
    const created = fake.calls.find((c) => c.method === "POST" && c.path === "/api/v1/schedules");
    expect(created?.body).toEqual({
      name: "saturday", kind: "drill", plan_id: PLAN.id, waves: ["db"], cron: "0 6 * * 6", timezone: "Europe/Berlin",
      at: null, enabled: true, retention: null,
    });
  });

  it("disables every change for a viewer, with the reason", async () => {
    const fake = renderPage("viewer");
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByRole("radio", { name: "Select weekly" }));
    for (const name of ["Create schedule", "Edit", "Delete"]) {
      const button = screen.getByRole("button", { name });
      expect(button.getAttribute("aria-disabled")).toBe("true");
      const described = document.getElementById(button.getAttribute("aria-describedby") ?? "");
      expect(described?.textContent).toBe("Needs the operator role (permission schedules:write)");
    }
    expect(fake.calls.every((c) => c.method === "GET")).toBe(true);
  });

  it("checks the form before sending and builds backup drafts without a plan", () => {
    const form = { ...emptyForm(), name: "nightly", kind: "backup" as const, cron: "0 3 * * *", timezone: "UTC" };
    expect(formProblems(form)).toEqual({});
    expect(formProblems({ ...form, retention: "0" }).retention).toBe("A whole number from 1 to 365.");
    expect(formProblems({ ...form, cron: "0 3 * *" }).cron).toMatch(/^Five fields/);
    expect(formProblems({ ...form, timing: "once", at: "tomorrow" }).at).toMatch(/^A time with its offset/);
    expect(formProblems({ ...form, kind: "drill" }).plan_id).toBe("Choose a recovery plan.");
    expect(draftOf(form)).toMatchObject({ kind: "backup", plan_id: null, waves: null, retention: 7, at: null });
    expect(inZone("2026-12-05T05:00:00Z", "Europe/Berlin")).toBe("Sat, 5 Dec 2026, 06:00 (Europe/Berlin)");
  });
});
