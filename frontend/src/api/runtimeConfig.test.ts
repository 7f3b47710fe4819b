import { afterEach, describe, expect, it } from "vitest";
import { apiUrl, loadRuntimeConfig, resetRuntimeConfig, runtimeConfig } from "./runtimeConfig";

function answer(body: string, type: string, status = 200): typeof fetch {
  return (async () => new Response(body, { status, headers: { "Content-Type": type } })) as typeof fetch;
}

afterEach(() => resetRuntimeConfig());

describe("runtime config", () => {
  it("points API calls at the deployed API", async () => {
    const config = { apiUrl: "https://abc.execute-api.eu-west-1.amazonaws.com/live/", cognito: { clientId: "c1" } };
    await loadRuntimeConfig(answer(JSON.stringify(config), "application/json"));
    expect(apiUrl("/api/v1/recovery-plans")).toBe(
      "https://abc.execute-api.eu-west-1.amazonaws.com/live/api/v1/recovery-plans",
    );
    expect(runtimeConfig().cognito?.clientId).toBe("c1");
  });

  it("stays on the UI's origin when the server has no config", async () => {
    await loadRuntimeConfig(answer("<!doctype html>", "text/html"));
    expect(apiUrl("/api/v1/recovery-plans")).toBe("/api/v1/recovery-plans");
    await loadRuntimeConfig(answer("{}", "application/json", 404));
    expect(apiUrl("/health")).toBe("/health");
  });

  it("survives an unreachable config", async () => {
    await loadRuntimeConfig((async () => Promise.reject(new Error("offline"))) as typeof fetch);
    expect(apiUrl("/api/v1/x")).toBe("/api/v1/x");
  });
});
