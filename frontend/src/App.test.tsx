import { act, render, screen, waitFor } from "@testing-library/react";
import createWrapper from "@cloudscape-design/components/test-utils/dom";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, useLocation } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "./App";
import { setSessionRenewal } from "./api/http";
import type { Role } from "./api/identity";
import { clearTokens, refreshToken } from "./api/tokens";
import { FlashProvider } from "./layout/flash";
import { SessionProvider } from "./session/SessionProvider";
import { userOf } from "./test/access";
import { fakeApi } from "./test/fakeApi";

const EMPTY = { body: { items: [], next_cursor: null } };

function Where() {
  const location = useLocation();
  return <div data-testid="where">{location.pathname + location.search}</div>;
}

/** The whole console at `path`, signed in (through a stored refresh token) with `role`. */
function renderApp(path: string, role: Role = "operator") {
  sessionStorage.setItem("drorch.refresh_token", "drr_1.s");
  const user = userOf(role, "olga");
  const fake = fakeApi({
    "POST /api/v1/auth/refresh": () => ({ body: { access_token: "a-1", token_type: "bearer", expires_in: 900, refresh_token: "drr_2.s", refresh_expires_in: 1, user } }),
    "POST /api/v1/auth/logout": () => ({ status: 204, body: null }),
    "GET /api/v1/protection-groups": () => EMPTY,
    "GET /api/v1/recovery-plans": () => EMPTY,
    "GET /api/v1/executions": () => EMPTY,
    "GET /api/v1/source-servers": () => EMPTY,
    "GET /api/v1/accounts": () => ({ body: [] }),
  });
  render(
    <MemoryRouter initialEntries={[path]}>
      <FlashProvider>
        <SessionProvider><App /><Where /></SessionProvider>
      </FlashProvider>
    </MemoryRouter>,
  );
  return fake;
}

function navLink(name: string): HTMLElement {
  return screen.getByRole("navigation", { name: "Side navigation" }).querySelector(`a[href="${name}"]`) as HTMLElement;
}

function current(): string[] {
  const nav = screen.getByRole("navigation", { name: "Side navigation" });
  return [...nav.querySelectorAll('a[aria-current="page"]')].map((a) => a.textContent ?? "");
}

afterEach(() => {
  vi.unstubAllGlobals();
  setSessionRenewal(undefined);
  clearTokens();
});

describe("App", () => {
  it("shows the user menu with name and role, and signs out through /auth/logout", async () => {
    const fake = renderApp("/groups");
    await screen.findByRole("navigation", { name: "Side navigation" });
    // jsdom has no width: the top bar is narrow, so its utilities sit in the overflow menu.
    const nav = createWrapper().findTopNavigation()!;
    act(() => nav.findOverflowMenuButton()!.click());
    const user = userEvent.setup({ delay: null });
    expect((await screen.findAllByText("olga person")).length).toBeGreaterThan(0);
    expect(screen.getAllByText("olga · Operator role").length).toBeGreaterThan(0);
    if (!screen.queryByText("Sign out")) await user.click(screen.getAllByText("olga person").at(-1)!);
    await user.click(screen.getByText("Sign out"));

    expect(await screen.findByRole("heading", { name: "Sign in to drorch" })).toBeTruthy();
    const logout = fake.calls.find((c) => c.path === "/api/v1/auth/logout");
    expect(logout?.body).toEqual({ refresh_token: "drr_2.s" });
    expect(refreshToken()).toBeUndefined();
  });

  it.each<[Role, boolean, boolean]>([
    ["operator", false, false],
    ["auditor", true, false],
    ["admin", true, true],
  ])("shows Audit and Users in the navigation only to those who may read them (%s)", async (role, audit, users) => {
    renderApp("/groups", role);
    await screen.findByRole("navigation", { name: "Side navigation" });
    expect(navLink("/audit") !== null).toBe(audit);
    expect(navLink("/users") !== null).toBe(users);
  });

  it("disables create, edit and delete of groups for an operator, with the reason", async () => {
    renderApp("/groups");
    const create = (await screen.findAllByRole("link", { name: "Create group" }))[0]!;
    expect(create.getAttribute("aria-disabled")).toBe("true");
    const described = document.getElementById(create.getAttribute("aria-describedby") ?? "");
    expect(described?.textContent).toBe("Needs the plan_manager role (permission groups:write)");
  });

  it("highlights the section an address belongs to", async () => {
    renderApp("/groups/new", "plan_manager");
    await screen.findByRole("navigation", { name: "Side navigation" });
    expect(current()).toEqual(["Protection groups"]);
  });

  it("lists Target accounts in the navigation for a viewer and highlights it there", async () => {
    renderApp("/accounts", "viewer");
    expect(await screen.findByText("No target accounts")).toBeTruthy();
    expect(current()).toEqual(["Target accounts"]);
  });

  it("highlights nothing on the 404 page", async () => {
    renderApp("/no-such-page");
    expect(await screen.findByText("Page not found")).toBeTruthy();
    expect(current()).toEqual([]);
  });

  it.each([
    ["/source-servers", "/servers"],
    ["/protection-groups", "/groups"],
    ["/protection-groups/pg-000000000001", "/groups/pg-000000000001/edit"],
    ["/recovery-plans?x=1", "/plans?x=1"],
    ["/recovery-plans/rp-000000000001/start", "/plans/rp-000000000001/start"],
    ["/execution/ex-000000000001", "/executions/ex-000000000001"],
    ["/dashboard", "/"],
    ["/target-accounts", "/accounts"],
  ])("redirects %s to %s", async (from, to) => {
    renderApp(from);
    await waitFor(() => expect(screen.getByTestId("where").textContent).toBe(to));
  });
});
