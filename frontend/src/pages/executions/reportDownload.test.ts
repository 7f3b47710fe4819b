import { afterEach, describe, expect, it, vi } from "vitest";
import { clearTokens, saveTokens } from "../../api/tokens";
import { downloadReport, reportFileName } from "./reportDownload";

afterEach(() => {
  vi.unstubAllGlobals();
  clearTokens();
});

describe("downloadReport", () => {
  it("fetches the report with the session's token and saves it under the execution's name", async () => {
    saveTokens({ access_token: "tok-1", refresh_token: "r" });
    const calls: [string, RequestInit][] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string, init: RequestInit) => {
        calls.push([url, init]);
        return new Response("%PDF-1.4", { status: 200, headers: { "Content-Type": "application/pdf" } });
      }),
    );
    const saved: [string, string][] = [];
    await downloadReport("ex-1", "pdf", (blob, name) => {
      void blob.text().then((text) => saved.push([name, text]));
    });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(calls).toHaveLength(1);
    expect(calls[0]?.[0]).toBe("/api/v1/executions/ex-1/report?format=pdf");
    expect((calls[0]?.[1].headers as Record<string, string>).Authorization).toBe("Bearer tok-1");
    expect(saved).toEqual([["ex-1-report.pdf", "%PDF-1.4"]]);
  });

  it("rejects with the API's problem and saves nothing", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () =>
        new Response(JSON.stringify({ title: "Not found", status: 404, detail: "execution ex-9 does not exist" }), {
          status: 404,
          headers: { "Content-Type": "application/problem+json" },
        }),
      ),
    );
    const save = vi.fn();
    await expect(downloadReport("ex-9", "html", save)).rejects.toThrow("execution ex-9 does not exist");
    expect(save).not.toHaveBeenCalled();
  });

  it("names files by execution and format", () => {
    expect(reportFileName("ex-2", "html")).toBe("ex-2-report.html");
  });
});
