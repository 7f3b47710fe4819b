import { afterEach, describe, expect, it } from "vitest";
import { apiUrl, cognitoPool, loadRuntimeConfig, resetRuntimeConfig, runtimeConfig } from "./runtimeConfig";

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

  it("names a Cognito pool only when its id and client are there, with AWS's endpoint by default", async () => {
    const load = (config: unknown) => loadRuntimeConfig(answer(JSON.stringify(config), "application/json"));
    await load({ cognito: { userPoolId: "", clientId: "" } });
    expect(cognitoPool()).toBeUndefined();
    await load({ cognito: { userPoolId: "eu-west-1_Ab12", clientId: "c1", region: "eu-west-1" } });
    expect(cognitoPool()).toEqual({ userPoolId: "eu-west-1_Ab12", clientId: "c1", region: "eu-west-1", endpoint: "https://cognito-idp.eu-west-1.amazonaws.com/" });
    await load({ region: "us-west-2", cognito: { userPoolId: "us-west-2_Cd34", clientId: "c2" } });
    expect(cognitoPool()?.endpoint).toBe("https://cognito-idp.us-west-2.amazonaws.com/");
    await load({ cognito: { userPoolId: "ap-south-1_Ef56", clientId: "c3", endpoint: "http://127.0.0.1:5000/" } });
    expect(cognitoPool()).toMatchObject({ region: "ap-south-1", endpoint: "http://127.0.0.1:5000/" });
  });
});
