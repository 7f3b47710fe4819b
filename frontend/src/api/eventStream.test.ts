import { afterEach, describe, expect, it, vi } from "vitest";
import { BearerEventSource, parseBlock } from "./eventStream";
import { setSessionRenewal } from "./http";
import { clearTokens, saveTokens } from "./tokens";

function streamOf(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(controller) {
      // Two chunks split inside a block: the parser must join them.
      controller.enqueue(bytes.slice(0, 17));
      controller.enqueue(bytes.slice(17));
      controller.close();
    },
  });
}

afterEach(() => {
  vi.unstubAllGlobals();
  setSessionRenewal(undefined);
  clearTokens();
});

describe("BearerEventSource", () => {
  it("parses named events, multi-line data, ids and skips keep-alives", () => {
    expect(parseBlock("event: execution\nid: 7\ndata: {\"a\":\ndata: 1}")).toEqual({ event: "execution", id: "7", data: '{"a":\n1}' });
    expect(parseBlock(": keep-alive")).toBeUndefined();
    expect(parseBlock("data: x")).toEqual({ event: "message", data: "x", id: undefined });
  });

  it("sends the Bearer token, renews once on a 401, and delivers each event to its listeners", async () => {
    saveTokens({ access_token: "old", refresh_token: "drr_1.s" });
    setSessionRenewal(async () => saveTokens({ access_token: "new", refresh_token: "drr_2.s" }));
    const seen: string[] = [];
    const fetchMock = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
      const auth = (init?.headers as Record<string, string>).Authorization;
      if (auth !== "Bearer new") return new Response("{}", { status: 401 });
      return new Response(streamOf('event: event\nid: 1\ndata: {"seq":1}\n\n: ping\n\nevent: end\ndata: done\n\n'), { status: 200 });
    });
    vi.stubGlobal("fetch", fetchMock);

    const source = new BearerEventSource("/api/v1/executions/ex-1/stream");
    const opened = new Promise<void>((resolve) => { source.onopen = resolve; });
    const ended = new Promise<void>((resolve) => source.addEventListener("end", () => { source.close(); resolve(); }));
    source.addEventListener("event", (e) => seen.push((e as MessageEvent<string>).data));
    await opened;
    await ended;

    expect(seen).toEqual(['{"seq":1}']);
    expect(fetchMock.mock.calls.map((c) => (c[1]?.headers as Record<string, string>).Authorization)).toEqual(["Bearer old", "Bearer new"]);
    expect(source.readyState).toBe(BearerEventSource.CLOSED);
  });

  it("gives up on an answer that is not a stream, as EventSource does", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response("{}", { status: 403 })));
    const source = new BearerEventSource("/api/v1/executions/ex-1/stream");
    await new Promise<void>((resolve) => { source.onerror = resolve; });
    expect(source.readyState).toBe(BearerEventSource.CLOSED);
  });
});
