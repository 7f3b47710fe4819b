/**
 * An execution kept live: its header loaded once, then updated from its SSE stream, which
 * sends only changes: `execution` (the header, whenever its version moved), `servers` (the
 * servers whose state changed) and `event` (a timeline entry). Servers themselves are paged
 * by the server table, which applies the changes; `resyncs` counts stream (re)connections,
 * after which anything read before may have missed changes. Without a stream the page
 * falls back to polling while the execution is active.
 */
import { useEffect, useState } from "react";
import { api } from "../../api/client";
import { BearerEventSource } from "../../api/eventStream";
import { isActive, type Execution, type ExecutionEvent, type ServerChanges } from "../../api/executions";
import { asApiError, type ApiError } from "../../api/problem";

export interface LiveExecution {
  execution: Execution | undefined;
  events: ExecutionEvent[];
  error: ApiError | undefined;
  live: boolean;
  /** The latest `servers` message of the stream. */
  changes: ServerChanges | undefined;
  /** Bumped whenever data read earlier may be stale (stream reopened, or a poll). */
  resyncs: number;
  refresh: () => void;
  replace: (execution: Execution) => void;
}

function parse(message: MessageEvent<string>): unknown {
  try {
    return JSON.parse(message.data) as unknown;
  } catch {
    return undefined;
  }
}

function isExecution(value: unknown): value is Execution {
  return typeof value === "object" && value !== null && "waves" in value && "status" in value && "id" in value;
}

function isEvent(value: unknown): value is ExecutionEvent {
  return typeof value === "object" && value !== null && "seq" in value && "message" in value;
}

function isChanges(value: unknown): value is ServerChanges {
  return typeof value === "object" && value !== null && "version" in value && "items" in value;
}

export function mergeEvents(known: ExecutionEvent[], more: ExecutionEvent[]): ExecutionEvent[] {
  const seen = new Set(known.map((e) => e.seq));
  const fresh = more.filter((e) => !seen.has(e.seq));
  return fresh.length ? [...known, ...fresh].sort((a, b) => a.seq - b.seq) : known;
}

/** Keep the newer of two headers of one execution (a slow answer must not undo a newer one). */
function newer(known: Execution | undefined, next: Execution): Execution {
  return known && known.id === next.id && known.version > next.version ? known : next;
}

async function loadAllEvents(id: string, signal: AbortSignal): Promise<ExecutionEvent[]> {
  let cursor: string | undefined;
  const all: ExecutionEvent[] = [];
  for (let page = 0; page < 50; page += 1) {
    const result = await api.listEvents(id, { cursor, limit: 500 }, signal);
    all.push(...result.items);
    cursor = result.next_cursor ?? undefined;
    if (!cursor) break;
  }
  return all;
}

export function useExecutionLive(id: string): LiveExecution {
  const [execution, setExecution] = useState<Execution | undefined>();
  const [events, setEvents] = useState<ExecutionEvent[]>([]);
  const [error, setError] = useState<ApiError | undefined>();
  const [live, setLive] = useState(false);
  const [changes, setChanges] = useState<ServerChanges | undefined>();
  const [resyncs, setResyncs] = useState(0);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    const read = () =>
      api
        .getExecution(id, controller.signal)
        .then((e) => { setExecution((known) => newer(known, e)); setError(undefined); })
        .catch((e: unknown) => { if (!controller.signal.aborted) setError(asApiError(e)); });
    void read();
    loadAllEvents(id, controller.signal)
      .then((list) => setEvents((known) => mergeEvents(known, list)))
      .catch(() => undefined);

    // A fetch-based stream: it carries the Bearer token, which EventSource cannot send.
    const source = typeof EventSource === "undefined" ? undefined : new BearerEventSource(api.streamUrl(id));
    if (source) {
      source.onopen = () => { setLive(true); setResyncs((n) => n + 1); };
      source.onerror = () => setLive(source.readyState === BearerEventSource.OPEN);
      source.addEventListener("execution", ((m: MessageEvent<string>) => {
        const data = parse(m);
        if (isExecution(data)) setExecution((known) => newer(known, data));
      }) as EventListener);
      source.addEventListener("servers", ((m: MessageEvent<string>) => {
        const data = parse(m);
        if (isChanges(data)) setChanges(data);
      }) as EventListener);
      source.addEventListener("event", ((m: MessageEvent<string>) => {
        const data = parse(m);
        if (isEvent(data)) setEvents((known) => mergeEvents(known, [data]));
      }) as EventListener);
      // After `end` the server closes the stream; without close() it would reconnect.
      source.addEventListener("end", () => {
        source.close();
        setLive(false);
        void read();
      });
    }
    return () => {
      controller.abort();
      source?.close();
    };
  }, [id, tick]);

  // Poll while the stream is down and the execution (or its cleanup) is still moving.
  const moving = execution ? !execution.finished || isActive(execution.status) : false;
  useEffect(() => {
    if (live || !moving) return;
    const timer = setInterval(() => {
      api.getExecution(id).then((e) => setExecution((known) => newer(known, e))).catch(() => undefined);
      api.listEvents(id, { limit: 500 }).then((p) => setEvents((k) => mergeEvents(k, p.items))).catch(() => undefined);
      setResyncs((n) => n + 1);
    }, 2000);
    return () => clearInterval(timer);
  }, [id, live, moving]);

  const replace = (next: Execution) => setExecution((known) => newer(known, next));
  return { execution, events, error, live, changes, resyncs, refresh: () => setTick((t) => t + 1), replace };
}
