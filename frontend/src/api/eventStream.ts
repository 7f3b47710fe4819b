/**
 * Server-Sent Events over fetch, so the stream carries the session's Bearer token (the
 * browser's EventSource cannot send headers). The same small surface the execution page
 * uses: readyState, onopen, onerror, addEventListener, close; reconnects with
 * Last-Event-ID like EventSource, and renews the session once on a 401.
 */
import { renewNow } from "./http";
import { accessToken } from "./tokens";
import { apiUrl } from "./runtimeConfig";

const RECONNECT_MS = 3000;

interface Message {
  event: string;
  data: string;
  id?: string;
}

/** Parse one SSE block ("event: x\ndata: y"); undefined for a comment or keep-alive. */
export function parseBlock(block: string): Message | undefined {
  let event = "message";
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
    else if (field === "id") id = value;
  }
  return data.length ? { event, data: data.join("\n"), id } : undefined;
}

export class BearerEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;

  readyState = BearerEventSource.CONNECTING;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  private readonly listeners = new Map<string, Set<EventListener>>();
  private readonly controller = new AbortController();
  private lastEventId: string | undefined;

  constructor(readonly url: string) {
    void this.run();
  }

  addEventListener(name: string, listener: EventListener): void {
    const set = this.listeners.get(name) ?? new Set<EventListener>();
    set.add(listener);
    this.listeners.set(name, set);
  }

  close(): void {
    this.readyState = BearerEventSource.CLOSED;
    this.controller.abort();
  }

  private get closed(): boolean {
    return this.readyState === BearerEventSource.CLOSED;
  }

  private headers(): Record<string, string> {
    const headers: Record<string, string> = { Accept: "text/event-stream" };
    const token = accessToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (this.lastEventId) headers["Last-Event-ID"] = this.lastEventId;
    return headers;
  }

  private async run(): Promise<void> {
    let renewed = false;
    while (!this.closed) {
      try {
        const response = await fetch(apiUrl(this.url), { headers: this.headers(), signal: this.controller.signal });
        if (response.status === 401 && !renewed && (await renewNow())) {
          renewed = true;
          continue;
        }
        // Like EventSource: an answer other than a 200 stream ends it for good.
        if (!response.ok || !response.body) return this.fail();
        renewed = false;
        this.readyState = BearerEventSource.OPEN;
        this.onopen?.();
        await this.read(response.body);
      } catch {
        // network drop or abort: reconnect below unless closed
      }
      if (this.closed) return;
      this.readyState = BearerEventSource.CONNECTING;
      this.onerror?.();
      await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
    }
  }

  private fail(): void {
    this.readyState = BearerEventSource.CLOSED;
    this.onerror?.();
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done || this.closed) return;
      buffer += decoder.decode(value, { stream: true });
      const blocks = buffer.split(/\r?\n\r?\n/);
      buffer = blocks.pop() ?? "";
      blocks.forEach((block) => this.dispatch(parseBlock(block)));
    }
  }

  private dispatch(message: Message | undefined): void {
    if (!message || this.closed) return;
    if (message.id !== undefined) this.lastEventId = message.id;
    const event = new MessageEvent(message.event, { data: message.data, lastEventId: message.id ?? "" });
    this.listeners.get(message.event)?.forEach((listener) => listener(event));
  }
}
