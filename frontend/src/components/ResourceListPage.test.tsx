import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import createWrapper from "@cloudscape-design/components/test-utils/dom";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { describe, expect, it, vi } from "vitest";
import { ApiError, toProblem } from "../api/problem";
import { FlashProvider, useFlash } from "../layout/flash";
import { fill } from "../test/fakeApi";
import { ResourceListPage, type Listed } from "./ResourceListPage";
import { RouterButton } from "./RouterLink";
import type { Role } from "../api/identity";
import { AsRole } from "../test/access";

interface Thing extends Listed {
  size: number;
}

function thing(n: number, name: string, description = ""): Thing {
  return { id: `t-${n}`, name, description, size: n, updated_at: "2026-01-01T00:00:00Z" };
}

/** The flash messages as plain text: the page frame that shows them is not rendered here. */
function FlashMessages() {
  const { items } = useFlash();
  return (
    <ul aria-label="Flash messages">
      {items.map((item) => <li key={item.id}>{`${String(item.header)} ${String(item.content ?? "")}`.trim()}</li>)}
    </ul>
  );
}

function renderList(
  items: Thing[],
  remove: (t: Thing) => Promise<unknown> = vi.fn(async () => undefined),
  role: Role = "admin",
) {
  // A fresh copy per call, like a fresh response: a reload after a delete sees the server's state.
  let stored = [...items];
  const load = vi.fn(async () => ({ items: [...stored], next_cursor: null }));
  const removeAndForget = vi.fn(async (t: Thing) => {
    await remove(t);
    stored = stored.filter((s) => s.id !== t.id);
  });
  const view = render(
    <MemoryRouter initialEntries={["/things"]}>
      <AsRole role={role}>
      <FlashProvider>
        <FlashMessages />
        <Routes>
          <Route
            path="/things"
            element={
              <ResourceListPage<Thing>
                names={{ one: "small thing", many: "Small things", short: "thing" }}
                path="/things"
                load={load}
                columns={[{ id: "size", header: "Size", cell: (t) => t.size }]}
                itemActions={(t) => <RouterButton disabled={!t} href={t ? `/things/${t.id}/use` : "/things"}>Use</RouterButton>}
                remove={removeAndForget}
                deleteNote="Nothing else changes."
                writePermission="groups:write"
              />
            }
          />
          <Route path="/things/new" element={<div>thing editor</div>} />
        </Routes>
      </FlashProvider>
      </AsRole>
    </MemoryRouter>,
  );
  return { load, remove: removeAndForget, table: () => createWrapper(view.container).findTable()! };
}

const flashes = () => within(screen.getByRole("list", { name: "Flash messages" }));
const disabled = (element: HTMLElement) => element.hasAttribute("disabled") || element.getAttribute("aria-disabled") === "true";

describe("ResourceListPage", () => {
  it("shows the create action in the empty state", async () => {
    const user = userEvent.setup({ delay: null });
    const { table } = renderList([]);
    expect(await screen.findByText("No small things")).toBeTruthy();
    expect(screen.getByRole("heading", { name: /Small things/ }).textContent).toContain("(0)");

    const empty = table().findEmptySlot()!.getElement();
    await user.click(within(empty).getByText("Create thing"));
    expect(await screen.findByText("thing editor")).toBeTruthy();
  });

  it("lists, counts and filters by name or description, with the page's own columns", async () => {
    const user = userEvent.setup({ delay: null });
    renderList([thing(1, "alpha", "first one"), thing(2, "beta", "second one")]);
    const table = await screen.findByRole("table", { name: "Small things" });
    await waitFor(() => expect(within(table).getByRole("rowheader", { name: "alpha" })).toBeTruthy());
    expect(within(table).getByRole("columnheader", { name: /Size/ })).toBeTruthy();
    expect(screen.getByRole("heading", { name: /Small things/ }).textContent).toContain("(2)");
    expect(within(table).getByRole("link", { name: "alpha" }).getAttribute("href")).toBe("/things/t-1/edit");

    await fill(user, screen.getByLabelText("Find things"), "second");
    await waitFor(() => expect(within(table).queryByRole("rowheader", { name: "alpha" })).toBeNull());
    expect(within(table).getByRole("rowheader", { name: "beta" })).toBeTruthy();
  });

  it("deletes the selected item only once the modal is confirmed", async () => {
    const user = userEvent.setup({ delay: null });
    const { load, remove } = renderList([thing(1, "alpha"), thing(2, "beta")]);
    await screen.findByRole("rowheader", { name: "alpha" });
    const deleteButton = screen.getByRole("button", { name: "Delete" });
    expect(disabled(deleteButton)).toBe(true);
    expect(disabled(screen.getByText("Use").closest("a, button") as HTMLElement)).toBe(true);

    await user.click(screen.getAllByLabelText("Select alpha")[0]!);
    expect(disabled(deleteButton)).toBe(false);
    expect(screen.getByText("Use").closest("a")?.getAttribute("href")).toBe("/things/t-1/use");

    // Asking is not deleting: Cancel leaves everything as it was.
    await user.click(deleteButton);
    let dialog = await screen.findByRole("dialog");
    expect(within(dialog).getByText("Delete small thing")).toBeTruthy();
    expect(dialog.textContent).toContain("Delete alpha? Nothing else changes.");
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(remove).not.toHaveBeenCalled();

    await user.click(deleteButton);
    dialog = await screen.findByRole("dialog");
    await user.click(within(dialog).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(flashes().getByText("Small thing alpha deleted")).toBeTruthy());
    expect(remove).toHaveBeenCalledTimes(1);
    expect(remove.mock.calls[0]?.[0]).toMatchObject({ id: "t-1" });
    // The list is read again and the deleted item is no longer selected.
    await waitFor(() => expect(screen.queryByRole("rowheader", { name: "alpha" })).toBeNull());
    expect(load).toHaveBeenCalledTimes(2);
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(disabled(screen.getByRole("button", { name: "Delete" }))).toBe(true);
  });

  it("keeps the item and says why when the server refuses the deletion", async () => {
    const user = userEvent.setup({ delay: null });
    const refusal = new ApiError(toProblem(409, "Conflict", { title: "Conflict", detail: "plan storefront uses it" }));
    const { load } = renderList([thing(1, "alpha")], vi.fn(async () => { throw refusal; }));
    await screen.findByRole("rowheader", { name: "alpha" });
    await user.click(screen.getAllByLabelText("Select alpha")[0]!);
    await user.click(screen.getByRole("button", { name: "Delete" }));
    await user.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Delete" }));

    await waitFor(() => expect(flashes().getByText("Could not delete alpha plan storefront uses it")).toBeTruthy());
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(screen.getByRole("rowheader", { name: "alpha" })).toBeTruthy();
    expect(load).toHaveBeenCalledTimes(1);
  });
});
