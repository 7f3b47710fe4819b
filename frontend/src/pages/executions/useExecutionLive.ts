/**
 * An execution kept live: loaded once, then updated from its SSE stream. Each stream
 * message is either a whole execution (used as is) or an event (appended to the log,
 * then the execution is re-read, at most a few times a second). Without a stream the
 * page falls back to polling while the execution is active.
 */
import { useEffect, useRef, useState } from "react";
import { api } from "../../api/client";
import { BearerEventSource } from "../../api/eventStream";
import { isActive, type Execution, type ExecutionEvent } from "../../api/executions";
import { asApiError, type ApiError } from "../../api/problem";

export interface LiveExecution {
  execution: Execution | undefined;
  events: ExecutionEvent[];
  error: ApiError | undefined;
  live: boolean;
  refresh: () => void;
  replace: (execution: Execution) => void;
}

// The stream sends `event` (a timeline entry), `execution` (the whole execution) and `end`.
const STREAM_EVENT_NAMES = ["message", "execution", "event"];

function isExecution(value: unknown): value is Execution {
  return typeof value === "object" && value !== null && "waves" in value && "status" in value && "id" in value;
}

function isEvent(value: unknown): value is ExecutionEvent {
  return typeof value === "object" && value !== null && "seq" in value && "message" in value;
}

function mergeEvents(known: ExecutionEvent[], more: ExecutionEvent[]): ExecutionEvent[] {
  const seen = new Set(known.map((e) => e.seq));
  const fresh = more.filter((e) => !seen.has(e.seq));
  return fresh.length ? [...known, ...fresh].sort((a, b) => a.seq - b.seq) : known;
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
  const [tick, setTick] = useState(0);
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    const controller = new AbortController();
    const read = () =>
      api
        .getExecution(id, controller.signal)
        .then((e) => { setExecution(e); setError(undefined); })
        .catch((e: unknown) => { if (!controller.signal.aborted) setError(asApiError(e)); });
    const readSoon = () => {
      if (pending.current) return;
      pending.current = setTimeout(() => { pending.current = undefined; void read(); }, 200);
    };
    void read();
    loadAllEvents(id, controller.signal)
      .then((list) => setEvents((known) => mergeEvents(known, list)))
      .catch(() => undefined);

    // A fetch-based stream: it carries the Bearer token, which EventSource cannot send.
    const source = typeof EventSource === "undefined" ? undefined : new BearerEventSource(api.streamUrl(id));
    const onMessage = (message: MessageEvent<string>) => {
      let data: unknown;
      try { data = JSON.parse(message.data); } catch { readSoon(); return; }
      if (isExecution(data)) setExecution(data);
      else if (isEvent(data)) { setEvents((known) => mergeEvents(known, [data])); readSoon(); }
      else readSoon();
    };
    if (source) {
      source.onopen = () => setLive(true);
      source.onerror = () => setLive(source.readyState === BearerEventSource.OPEN);
      STREAM_EVENT_NAMES.forEach((name) => source.addEventListener(name, onMessage as EventListener));
      // After `end` the server closes the stream; without close() EventSource would reconnect.
      source.addEventListener("end", () => {
        source.close();
        setLive(false);
        void read();
      });
    }
    return () => {
      controller.abort();
      source?.close();
      if (pending.current) clearTimeout(pending.current);
      pending.current = undefined;
    };
  }, [id, tick]);

  // Poll while the stream is down and the execution (or its cleanup) is still moving.
  const moving = execution ? isActive(execution.status) || execution.cleanup_status === "IN_PROGRESS" : false;
  useEffect(() => {
    if (live || !moving) return;
    const timer = setInterval(() => {
      api.getExecution(id).then(setExecution).catch(() => undefined);
      api.listEvents(id, { limit: 500 }).then((p) => setEvents((k) => mergeEvents(k, p.items))).catch(() => undefined);
    }, 2000);
    return () => clearInterval(timer);
  }, [id, live, moving]);

  return { execution, events, error, live, refresh: () => setTick((t) => t + 1), replace: setExecution };
}
