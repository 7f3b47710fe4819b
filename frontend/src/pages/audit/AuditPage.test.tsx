import { act, render, screen, waitFor } from "@testing-library/react";
import createWrapper from "@cloudscape-design/components/test-utils/dom";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Role } from "../../api/identity";
import { AsRole } from "../../test/access";
import { fakeApi, fill } from "../../test/fakeApi";
import { AuditPage } from "./AuditPage";
import { auditQuery, NO_FILTERS } from "./auditQuery";

function record(seq: number, fields: Record<string, unknown> = {}) {
  return {
    seq, id: `au-${seq}`, at: "2026-12-01T10:00:00Z", principal: "u-olga", username: "olga", role: "operator", source: "local",
    action: "execution.start", target_type: "execution", target_id: `ex-${seq}`, outcome: "success", status: 201,
    request_id: `req-${seq}`, client: "127.0.0.1", comment: null, ...fields,
  };
}

function renderPage(role: Role = "auditor") {
  render(<MemoryRouter><AsRole role={role}><AuditPage /></AsRole></MemoryRouter>);
}

afterEach(() => vi.unstubAllGlobals());

describe("AuditPage", () => {
  it("sends the filters and pages on with the server's cursor", async () => {
    const fake = fakeApi({
      "GET /api/v1/audit": (_b, url) => {
        if (url.searchParams.get("cursor") === "c2") return { body: { items: [record(1)], next_cursor: null } };
        const denied = url.searchParams.get("outcome") === "denied";
        return { body: { items: denied ? [record(3, { outcome: "denied", status: 403, action: "plan.delete" })] : [record(3), record(2)], next_cursor: "c2" } };
      },
    });
    const user = userEvent.setup({ delay: null });
    renderPage();
    expect(await screen.findByText("ex-3", { exact: false })).toBeTruthy();

    await fill(user, screen.getByLabelText("Filter by principal"), "olga");
    const outcome = createWrapper().findSelect()!; // the outcome filter: the page's only select
    act(() => outcome.openDropdown());
    act(() => outcome.selectOptionByValue("denied"));
    await waitFor(() => expect(screen.getByText("plan.delete")).toBeTruthy());
    const filtered = fake.calls.at(-1)!;
    expect(filtered.path).toBe("/api/v1/audit");
    expect(screen.getByText("denied (403)")).toBeTruthy();

    const lastUrl = new URL(String(fake.fetchMock.mock.calls.at(-1)![0]), "http://x");
    expect(lastUrl.searchParams.get("principal")).toBe("olga");
    expect(lastUrl.searchParams.get("outcome")).toBe("denied");

    await user.click(screen.getByRole("button", { name: "Next page" }));
    expect(await screen.findByText("ex-1", { exact: false })).toBeTruthy();
    const paged = new URL(String(fake.fetchMock.mock.calls.at(-1)![0]), "http://x");
    expect(paged.searchParams.get("cursor")).toBe("c2");
    expect(paged.searchParams.get("principal")).toBe("olga");
  });

  it("tells a role without audit:read what it needs and asks the server nothing", async () => {
    const fake = fakeApi({});
    renderPage("operator");
    expect(screen.getByText("Needs the auditor or admin role (permission audit:read).")).toBeTruthy();
    expect(fake.calls).toHaveLength(0);
  });

  it("turns a time range into since and until", () => {
    const now = new Date("2026-12-01T12:00:00Z");
    const relative = auditQuery({ ...NO_FILTERS, range: { type: "relative", amount: 24, unit: "hour" }, targetType: " plan " }, now);
    expect(relative).toMatchObject({ since: "2026-11-30T12:00:00.000Z", target_type: "plan" });
    expect(relative.until).toBeUndefined();
    const absolute = auditQuery({ ...NO_FILTERS, range: { type: "absolute", startDate: "2026-11-01T00:00:00Z", endDate: "2026-11-02T00:00:00Z" } }, now);
    expect(absolute).toMatchObject({ since: "2026-11-01T00:00:00.000Z", until: "2026-11-02T00:00:00.000Z" });
  });
});
