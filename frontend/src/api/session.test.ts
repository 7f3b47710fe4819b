import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi } from "../test/fakeApi";
import { userOf } from "../test/access";
import { api } from "./client";
import { request, retryAfterSeconds, setSessionRenewal } from "./http";
import { ApiError } from "./problem";
import { refreshSession, signIn, signOut } from "./session";
import { accessToken, clearTokens, refreshToken, saveTokens } from "./tokens";

const ME = userOf("operator", "olga");
const GROUPS = "GET /api/v1/protection-groups";

function tokens(n: number) {
  return { access_token: `access-${n}`, token_type: "bearer", expires_in: 900, refresh_token: `drr_${n}.secret`, refresh_expires_in: 43200, user: ME };
}

const UNAUTHENTICATED = { status: 401, body: { title: "Not signed in", detail: "the access token has expired" } };

/** Groups answer 401 unless the call carries `access-${valid}`. */
function groupsFor(valid: number) {
  return (_b: unknown, _u: URL, call: { headers: Record<string, string> }) =>
    call.headers.Authorization === `Bearer access-${valid}` ? { body: { items: [], next_cursor: null } } : UNAUTHENTICATED;
}

afterEach(() => {
  vi.unstubAllGlobals();
  setSessionRenewal(undefined);
  clearTokens();
});

describe("session tokens", () => {
  it("signs in with the OAuth2 password form and keeps the refresh token in sessionStorage only", async () => {
    const fake = fakeApi({ "POST /api/v1/auth/token": () => ({ body: tokens(1) }) });
    const me = await signIn("olga", "correct horse battery");

    expect(me.username).toBe("olga");
    const call = fake.calls[0]!;
    expect(call.headers["Content-Type"]).toBe("application/x-www-form-urlencoded");
    expect(call.headers.Authorization).toBeUndefined();
    expect(call.body).toEqual({ grant_type: "password", username: "olga", password: "correct horse battery" });
    expect(accessToken()).toBe("access-1");
    expect(sessionStorage.getItem("drorch.refresh_token")).toBe("drr_1.secret");
    expect(JSON.stringify({ ...localStorage })).not.toContain("access-1");
    expect(JSON.stringify({ ...sessionStorage })).not.toContain("access-1");
  });

  it("sends the access token on every call and a JSON content type on every mutating one", async () => {
    saveTokens(tokens(1));
    const fake = fakeApi({
      [GROUPS]: groupsFor(1),
      "POST /api/v1/source-servers/sync": () => ({ body: { scopes: [], skipped: [] } }),
    });
    await api.listGroups();
    await api.syncServers();

    expect(fake.calls.map((c) => c.headers.Authorization)).toEqual(["Bearer access-1", "Bearer access-1"]);
    expect(fake.calls[0]!.headers["Content-Type"]).toBeUndefined();
    expect(fake.calls[1]!.headers["Content-Type"]).toBe("application/json");
    expect(fake.calls[1]!.body).toBeUndefined();
  });

  it("refreshes once on a 401 and repeats the call, even when several calls meet it at once", async () => {
    saveTokens(tokens(1));
    let refreshes = 0;
    const fake = fakeApi({
      [GROUPS]: groupsFor(2),
      "POST /api/v1/auth/refresh": (body) => {
        refreshes += 1;
        return (body as { refresh_token: string }).refresh_token === "drr_1.secret" ? { body: tokens(2) } : UNAUTHENTICATED;
      },
    });
    setSessionRenewal(() => refreshSession().then(() => undefined));

    const pages = await Promise.all([api.listGroups(), api.listGroups(), api.listGroups()]);

    expect(pages.map((p) => p.items)).toEqual([[], [], []]);
    expect(refreshes).toBe(1);
    expect(accessToken()).toBe("access-2");
    expect(refreshToken()).toBe("drr_2.secret");
    const refresh = fake.calls.find((c) => c.path === "/api/v1/auth/refresh")!;
    expect(refresh.headers.Authorization).toBeUndefined();
  });

  it("rejects with the first 401 when renewal fails, and forgets a refused refresh token", async () => {
    saveTokens(tokens(1));
    fakeApi({ [GROUPS]: groupsFor(9), "POST /api/v1/auth/refresh": () => UNAUTHENTICATED });
    setSessionRenewal(() => refreshSession().then(() => undefined));

    const error = await api.listGroups().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
    expect((error as ApiError).problem.detail).toBe("the access token has expired");
    expect(refreshToken()).toBeUndefined();
  });

  it("passes a 403 through untouched, with the server's detail", async () => {
    saveTokens(tokens(1));
    const renew = vi.fn(async () => undefined);
    setSessionRenewal(renew);
    fakeApi({
      "DELETE /api/v1/recovery-plans/rp-1": () => ({
        status: 403,
        body: { title: "Forbidden", detail: "deleting a plan needs plans:write; your role operator lacks it" },
      }),
    });
    const error = (await api.deletePlan("rp-1", 1).catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(403);
    expect(error.message).toBe("deleting a plan needs plans:write; your role operator lacks it");
    expect(renew).not.toHaveBeenCalled();
  });

  it("reads a lockout's Retry-After as seconds", async () => {
    fakeApi({
      "POST /api/v1/auth/token": () => ({ status: 429, body: { title: "Too many requests", detail: "locked" }, headers: { "Retry-After": "125" } }),
    });
    const error = (await signIn("olga", "wrong password!!").catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(429);
    expect(error.problem.retryAfter).toBe(125);
    expect(retryAfterSeconds("Tue, 01 Dec 2026 10:02:00 GMT", Date.parse("2026-12-01T10:00:00Z"))).toBe(120);
    expect(retryAfterSeconds(null)).toBeUndefined();
  });

  it("signs out on the server and forgets both tokens, even when the server refuses", async () => {
    saveTokens(tokens(3));
    const renew = vi.fn(async () => undefined);
    setSessionRenewal(renew);
    const fake = fakeApi({ "POST /api/v1/auth/logout": () => UNAUTHENTICATED });

    await expect(signOut()).rejects.toBeInstanceOf(ApiError);

    expect(fake.calls[0]!.body).toEqual({ refresh_token: "drr_3.secret" });
    expect(fake.calls[0]!.headers.Authorization).toBe("Bearer access-3");
    expect(renew).not.toHaveBeenCalled();
    expect(accessToken()).toBeUndefined();
    expect(refreshToken()).toBeUndefined();
  });

  it("repeats a call with the token a renewal obtained", async () => {
    saveTokens(tokens(1));
    const fake = fakeApi({ [GROUPS]: groupsFor(5) });
    setSessionRenewal(async () => saveTokens(tokens(5)));
    await request("/api/v1/protection-groups");
    expect(fake.calls.map((c) => c.headers.Authorization)).toEqual(["Bearer access-1", "Bearer access-5"]);
  });
});
