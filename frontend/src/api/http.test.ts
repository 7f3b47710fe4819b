import { afterEach, describe, expect, it, vi } from "vitest";
import { request } from "./http";

function captureFetch(): { calls: RequestInit[] } {
  const calls: RequestInit[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (_url: string, init: RequestInit) => {
      calls.push(init);
      return new Response("{}", { status: 200, headers: { "Content-Type": "application/json" } });
    }),
  );
  return { calls };
}

afterEach(() => vi.unstubAllGlobals());

describe("request", () => {
  it("sends a JSON content type on a state-changing request without a body", async () => {
    const { calls } = captureFetch();
    await request("/api/v1/source-servers/sync", { method: "POST" });
    await request("/api/v1/protection-groups/pg-1", { method: "DELETE" });
    for (const init of calls) {
      expect((init.headers as Record<string, string>)["Content-Type"]).toBe("application/json");
      expect(init.body).toBeUndefined();
    }
  });

  it("sends none on a read", async () => {
    const { calls } = captureFetch();
    await request("/api/v1/protection-groups");
    expect((calls[0]?.headers as Record<string, string>)["Content-Type"]).toBeUndefined();
  });
});
