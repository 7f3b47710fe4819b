import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SourceServer } from "../../api/types";
import { FlashProvider } from "../../layout/flash";
import { fakeApi } from "../../test/fakeApi";
import { DEFAULT_VISIBLE, SERVER_COLUMNS } from "./serverColumns";
import { ServersPage } from "./ServersPage";
import { AsRole } from "../../test/access";

function srv(n: number, group: { id: string; name: string } | null): SourceServer {
  return {
    id: `s-${String(n).padStart(17, "0")}`,
    account_id: "111122223333",
    region: "us-east-1",
    hostname: `host-${n}`,
    os: "LINUX",
    tags: {},
    replication_state: "CONTINUOUS",
    replication_healthy: true,
    lag_seconds: 1,
    last_launch_result: "NOT_STARTED",
    recovery_instance_id: null,
    synced_at: null,
    group_id: group?.id ?? null,
    group_name: group?.name ?? null,
  };
}

const GROUP = { id: "pg-00000000000a", name: 'shop "web" · Zürich' };

function renderPage() {
  fakeApi({
    "GET /api/v1/source-servers": () => ({ body: { items: [srv(1, GROUP), srv(2, null)], next_cursor: null } }),
    "GET /api/v1/protection-groups": () => ({ body: { items: [], next_cursor: null } }),
  });
  render(
    <MemoryRouter initialEntries={["/servers"]}>
      <AsRole role="operator">
      <FlashProvider>
        <Routes>
          <Route path="/servers" element={<ServersPage />} />
          <Route path="/groups/:groupId/edit" element={<div>group page</div>} />
        </Routes>
      </FlashProvider>
      </AsRole>
    </MemoryRouter>,
  );
}

/** The cell of a server's row under the "Protection group" column. */
function groupCell(hostname: string): HTMLElement {
  const table = screen.getByRole("table", { name: "Source servers" });
  const headers = within(table).getAllByRole("columnheader").map((h) => h.textContent ?? "");
  const column = headers.findIndex((text) => text.includes("Protection group"));
  const row = within(table).getByText(hostname).closest("tr");
  const cell = row?.querySelectorAll("th, td")[column];
  if (!(cell instanceof HTMLElement)) throw new Error(`no group cell for ${hostname}`);
  return cell;
}

afterEach(() => vi.unstubAllGlobals());

describe("ServersPage", () => {
  it("shows the protection group column by default", () => {
    expect(SERVER_COLUMNS.find((c) => c.id === "group")?.header).toBe("Protection group");
    expect(DEFAULT_VISIBLE).toContain("group");
  });

  it("links each server to its group's page and shows a dash when it has none", async () => {
    const user = userEvent.setup({ delay: null });
    renderPage();

    await screen.findByText("host-1");
    expect(groupCell("host-2").textContent).toBe("—");
    const link = within(groupCell("host-1")).getByRole("link", { name: GROUP.name });
    expect(link.getAttribute("href")).toBe(`/groups/${GROUP.id}/edit`);
    await user.click(link);
    expect(await screen.findByText("group page")).toBeTruthy();
  });
});
