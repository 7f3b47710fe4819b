import { useState } from "react";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "../api/client";
import { setSessionRenewal } from "../api/http";
import { asApiError } from "../api/problem";
import { accessToken, clearTokens, refreshToken } from "../api/tokens";
import { FlashProvider } from "../layout/flash";
import { userOf } from "../test/access";
import { fakeApi, fill } from "../test/fakeApi";
import { SessionProvider } from "./SessionProvider";

const OLGA = userOf("operator", "olga");

function tokens(n: number) {
  return { access_token: `access-${n}`, token_type: "bearer", expires_in: 900, refresh_token: `drr_${n}.s`, refresh_expires_in: 43200, user: OLGA };
}

const UNAUTHENTICATED = { status: 401, body: { title: "Not signed in", detail: "bad credentials" } };

/** A page with unsaved typing and a button that calls the API. */
function Notes() {
  const [text, setText] = useState("");
  const [result, setResult] = useState("");
  const load = () => api.listGroups().then((p) => setResult(`loaded ${p.items.length}`), (e: unknown) => setResult(asApiError(e).problem.detail));
  return (
    <div>
      <label>Notes <input value={text} onChange={(e) => setText(e.target.value)} /></label>
      <button onClick={() => void load()}>Load groups</button>
      <output>{result}</output>
    </div>
  );
}

function renderSession() {
  render(
    <MemoryRouter>
      <FlashProvider>
        <SessionProvider><Notes /></SessionProvider>
      </FlashProvider>
    </MemoryRouter>,
  );
}

async function signInWith(user: ReturnType<typeof userEvent.setup>, password: string, scope: HTMLElement = document.body) {
  const inside = within(scope);
  const username = inside.getByLabelText("Username") as HTMLInputElement;
  if (!username.value) await fill(user, username, "olga");
  await fill(user, inside.getByLabelText("Password"), password);
  await user.click(inside.getByRole("button", { name: "Sign in" }));
}

afterEach(() => {
  vi.unstubAllGlobals();
  setSessionRenewal(undefined);
  clearTokens();
});

describe("SessionProvider", () => {
  it("shows the sign-in page, says plainly when the password is wrong, then lets the user in", async () => {
    let attempts = 0;
    fakeApi({
      "POST /api/v1/auth/token": (body) => {
        attempts += 1;
        return (body as { password: string }).password === "right password 1" ? { body: tokens(1) } : UNAUTHENTICATED;
      },
    });
    const user = userEvent.setup({ delay: null });
    renderSession();

    expect(screen.getByRole("heading", { name: "Sign in to drorch" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Load groups" })).toBeNull();
    await signInWith(user, "wrong password");
    expect(await screen.findByText("The username or password is not right. Check both and try again.")).toBeTruthy();
    expect((screen.getByLabelText("Password") as HTMLInputElement).value).toBe("");

    await signInWith(user, "right password 1");
    expect(await screen.findByRole("button", { name: "Load groups" })).toBeTruthy();
    expect(attempts).toBe(2);
    expect(accessToken()).toBe("access-1");
  });

  it("shows the lockout with when to try again", async () => {
    fakeApi({
      "POST /api/v1/auth/token": () => ({ status: 429, body: { title: "Too many requests", detail: "locked" }, headers: { "Retry-After": "600" } }),
    });
    const user = userEvent.setup({ delay: null });
    renderSession();
    await signInWith(user, "any password 1");
    expect(await screen.findByText("Sign-in locked")).toBeTruthy();
    expect(screen.getByText(/^Too many failed sign-ins\. Try again in 10 minutes \(at .+\)\.$/)).toBeTruthy();
  });

  it("resumes a session from the stored refresh token after a reload", async () => {
    sessionStorage.setItem("drorch.refresh_token", "drr_7.s");
    fakeApi({ "POST /api/v1/auth/refresh": (body) => ((body as { refresh_token: string }).refresh_token === "drr_7.s" ? { body: tokens(8) } : UNAUTHENTICATED) });
    renderSession();
    expect(await screen.findByRole("button", { name: "Load groups" })).toBeTruthy();
    expect(accessToken()).toBe("access-8");
  });

  it("asks for the password over the page when the session ends, keeps what was typed, and finishes the call", async () => {
    const fake = fakeApi({
      "POST /api/v1/auth/token": () => ({ body: tokens(fake.calls.some((c) => c.path === "/api/v1/protection-groups") ? 2 : 1) }),
      "POST /api/v1/auth/refresh": () => UNAUTHENTICATED,
      "GET /api/v1/protection-groups": (_b, _u, call) =>
        call.headers.Authorization === "Bearer access-2" ? { body: { items: [{ id: "pg-1" }], next_cursor: null } } : UNAUTHENTICATED,
    });
    const user = userEvent.setup({ delay: null });
    renderSession();
    await signInWith(user, "right password 1");
    await fill(user, await screen.findByLabelText("Notes"), "half-written runbook note");

    await user.click(screen.getByRole("button", { name: "Load groups" }));
    const dialog = await screen.findByRole("dialog");
    expect(within(dialog).getByText("Your session has ended")).toBeTruthy();
    expect((within(dialog).getByLabelText("Username") as HTMLInputElement).value).toBe("olga");
    expect((screen.getByLabelText("Notes") as HTMLInputElement).value).toBe("half-written runbook note");

    await signInWith(user, "right password 1", dialog);
    expect(await screen.findByText("loaded 1")).toBeTruthy();
    await waitFor(() => expect(screen.queryByText("Your session has ended")).toBeNull());
    expect((screen.getByLabelText("Notes") as HTMLInputElement).value).toBe("half-written runbook note");
    expect(refreshToken()).toBe("drr_2.s");
    expect(fake.calls.filter((c) => c.path === "/api/v1/auth/refresh")).toHaveLength(1);
  });

  it("fails the waiting call with the 401 when the user closes the modal instead", async () => {
    fakeApi({
      "POST /api/v1/auth/token": () => ({ body: tokens(1) }),
      "POST /api/v1/auth/refresh": () => UNAUTHENTICATED,
      "GET /api/v1/protection-groups": () => ({ status: 401, body: { title: "Not signed in", detail: "the session was revoked" } }),
    });
    const user = userEvent.setup({ delay: null });
    renderSession();
    await signInWith(user, "right password 1");
    await user.click(await screen.findByRole("button", { name: "Load groups" }));
    const dialog = await screen.findByRole("dialog");
    await user.click(within(dialog).getByRole("button", { name: "Close without signing in" }));
    expect(await screen.findByText("the session was revoked")).toBeTruthy();
  });
});
