import { afterEach, expect, test, vi } from "vitest";
import { api } from "./client";

afterEach(() => vi.unstubAllGlobals());

test("updates and deletes name the version they read in If-Match", async () => {
  const seen: string[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (_input: RequestInfo | URL, init?: RequestInit) => {
      const method = init?.method ?? "GET";
      seen.push(`${method} ${new Headers(init?.headers).get("If-Match")}`);
      return method === "DELETE" ? new Response(null, { status: 204 }) : new Response("{}");
    }),
  );
  const draft = { name: "g", description: "", account_id: "111122223333", region: "us-east-1", selection: { tags: { a: "b" } } };
  await api.updateGroup("pg-000000000001", 3, draft);
  await api.deleteGroup("pg-000000000001", 4);
  await api.deletePlan("rp-000000000001", 7);
  expect(seen).toEqual(['PUT "3"', 'DELETE "4"', 'DELETE "7"']);
});
