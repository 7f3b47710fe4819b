import { act, render, screen, waitFor, within } from "@testing-library/react";
import createWrapper from "@cloudscape-design/components/test-utils/dom";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Role, User } from "../../api/identity";
import { FlashProvider, useFlash } from "../../layout/flash";
import { AsRole } from "../../test/access";
import { fakeApi, fill } from "../../test/fakeApi";
import { UsersPage } from "./UsersPage";
import { passwordProblem } from "./passwordPolicy";

function person(id: string, username: string, role: Role, enabled = true): User {
  const at = "2026-12-01T10:00:00Z";
  return { id, username, display_name: `${username} person`, email: null, role, enabled, created_at: at, updated_at: at, last_sign_in_at: null, version: 3 };
}

const OLGA = person("u-1", "olga", "operator");

function FlashMessages() {
  const { items } = useFlash();
  return <ul aria-label="Flash messages">{items.map((item) => <li key={item.id}>{String(item.header)}</li>)}</ul>;
}

type Answer = { status?: number; body: unknown };

function renderPage(role: Role = "admin", putOlga?: () => Answer) {
  const users = [OLGA, person("u-2", "vic", "viewer", false)];
  const fake = fakeApi({
    "GET /api/v1/users": () => ({ body: users }),
    "POST /api/v1/users": (body) => ({ status: 201, body: { ...person("u-3", "x", "viewer"), ...(body as object) } }),
    "PUT /api/v1/users/u-1": (body) => putOlga?.() ?? { body: { ...OLGA, ...(body as object), version: 4 } },
    "PUT /api/v1/users/u-2": (body) => ({ body: { ...users[1], ...(body as object), version: 4 } }),
    "POST /api/v1/users/u-1/password": () => ({ status: 204, body: null }),
  });
  render(<MemoryRouter><AsRole role={role}><FlashProvider><FlashMessages /><UsersPage /></FlashProvider></AsRole></MemoryRouter>);
  return fake;
}

async function select(user: ReturnType<typeof userEvent.setup>, username: string) {
  await user.click(await screen.findByRole("radio", { name: `Select ${username}` }));
}

afterEach(() => vi.unstubAllGlobals());

describe("UsersPage", () => {
  it("creates a user only with a password the policy accepts", async () => {
    const fake = renderPage();
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByRole("button", { name: "Create user" }));
    const dialog = screen.getByRole("dialog");
    const inside = within(dialog);
    await fill(user, inside.getByLabelText("Username"), "rita");
    const roles = createWrapper(dialog).findSelect()!;
    act(() => roles.openDropdown());
    act(() => roles.selectOptionByValue("recovery_manager"));
    const submit = inside.getByRole("button", { name: "Create user" });

    await fill(user, inside.getByLabelText("Password"), "short");
    expect(inside.getByText("At least 12 characters (now 5).")).toBeTruthy();
    expect(submit.hasAttribute("disabled")).toBe(true);
    await user.clear(inside.getByLabelText("Password"));
    await fill(user, inside.getByLabelText("Password"), "RITA");
    expect(inside.getByText("At least 12 characters (now 4).")).toBeTruthy();
    await user.clear(inside.getByLabelText("Password"));
    await fill(user, inside.getByLabelText("Password"), "a long passphrase");
    await waitFor(() => expect(submit.hasAttribute("disabled")).toBe(false));
    await user.click(submit);

    expect(await screen.findByText("User created")).toBeTruthy();
    const created = fake.calls.find((c) => c.method === "POST" && c.path === "/api/v1/users");
    expect(created?.body).toEqual({ username: "rita", display_name: "rita", email: null, role: "recovery_manager", password: "a long passphrase" });
  });

  it("changes a role, disables and enables, and resets a password with the user's version", async () => {
    const fake = renderPage();
    const user = userEvent.setup({ delay: null });
    await select(user, "olga");
    await user.click(screen.getByRole("button", { name: "Change role" }));
    const roles = createWrapper(screen.getByRole("dialog")).findSelect()!;
    act(() => roles.openDropdown());
    act(() => roles.selectOptionByValue("plan_manager"));
    await user.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Change role" }));
    expect(await screen.findByText("Role of olga changed")).toBeTruthy();
    const put = fake.calls.find((c) => c.method === "PUT" && c.path === "/api/v1/users/u-1")!;
    expect(put.body).toEqual({ role: "plan_manager", version: 3 });

    await select(user, "vic");
    await user.click(screen.getByRole("button", { name: "Enable" }));
    expect(await screen.findByText("vic enabled")).toBeTruthy();
    expect(fake.calls.find((c) => c.path === "/api/v1/users/u-2")?.body).toEqual({ enabled: true, version: 3 });

    await select(user, "olga");
    await user.click(screen.getByRole("button", { name: "Reset password" }));
    const dialog = screen.getByRole("dialog");
    await fill(user, within(dialog).getByLabelText("Password"), "olga");
    expect(within(dialog).getByText("At least 12 characters (now 4).")).toBeTruthy();
    await user.clear(within(dialog).getByLabelText("Password"));
    await fill(user, within(dialog).getByLabelText("Password"), "new passphrase 2026");
    await user.click(within(dialog).getByRole("button", { name: "Reset password" }));
    expect(await screen.findByText("Password of olga reset")).toBeTruthy();
    expect(fake.calls.find((c) => c.path === "/api/v1/users/u-1/password")?.body).toEqual({ password: "new passphrase 2026" });
  });

  it("shows the server's refusal in the modal", async () => {
    renderPage("admin", () => ({ status: 409, body: { title: "Conflict", detail: "the last admin cannot lose the admin role" } }));
    const user = userEvent.setup({ delay: null });
    await select(user, "olga");
    await user.click(screen.getByRole("button", { name: "Change role" }));
    const roles = createWrapper(screen.getByRole("dialog")).findSelect()!;
    act(() => roles.openDropdown());
    act(() => roles.selectOptionByValue("viewer"));
    await user.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Change role" }));
    expect(await within(screen.getByRole("dialog")).findByText("the last admin cannot lose the admin role")).toBeTruthy();
  });

  it("checks the policy: 12 characters, not the username", () => {
    expect(passwordProblem("abcdefghijk", "x")).toBe("At least 12 characters (now 11).");
    expect(passwordProblem("Administrator", "administrator")).toBe("Must not be the username.");
    expect(passwordProblem("abcdefghijkl", "x")).toBeUndefined();
  });

  it("shows the page to admins only", () => {
    fakeApi({});
    render(<MemoryRouter><AsRole role="auditor"><FlashProvider><UsersPage /></FlashProvider></AsRole></MemoryRouter>);
    expect(screen.getByText("Needs the admin role (permission users:read).")).toBeTruthy();
  });
});
