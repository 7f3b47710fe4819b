/** A fetch stand-in for component tests: routes by method and path, records every call. */
import { vi } from "vitest";

export interface Call {
  method: string;
  path: string;
  body: unknown;
  headers: Record<string, string>;
}

export interface Answer {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

type Handler = (body: unknown, url: URL, call: Call) => Answer;

/** A JSON body as an object, a form body (the sign-in form) as its fields. */
function parseBody(init?: RequestInit): unknown {
  if (!init?.body) return undefined;
  const text = String(init.body);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return Object.fromEntries(new URLSearchParams(text));
  }
}

export function fakeApi(routes: Record<string, Handler>) {
  const calls: Call[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), "http://localhost");
    const method = init?.method ?? "GET";
    const body = parseBody(init);
    const call = { method, path: url.pathname, body, headers: { ...(init?.headers as Record<string, string> | undefined) } };
    calls.push(call);
    const handler = routes[`${method} ${url.pathname}`];
    const answer: Answer = handler ? handler(body, url, call) : { status: 404, body: { title: "Not found", detail: `no route ${method} ${url.pathname}` } };
    const status = answer.status ?? 200;
    const type = status >= 400 ? "application/problem+json" : "application/json";
    return new Response(status === 204 ? null : JSON.stringify(answer.body), {
      status,
      headers: { "Content-Type": type, ...answer.headers },
    });
  });
  vi.stubGlobal("fetch", fetchMock);
  return { calls, fetchMock };
}

/** Type into an input in one go (one change event instead of one per key: much faster). */
export async function fill(
  user: { click: (e: Element) => Promise<void>; paste: (t: string) => Promise<void> },
  element: Element,
  text: string,
) {
  await user.click(element);
  await user.paste(text);
}
