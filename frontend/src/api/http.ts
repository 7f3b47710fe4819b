/** A small fetch wrapper: JSON in and out, the session's Bearer token, problem+json errors as ApiError. */
import { ApiError, networkProblem, toProblem } from "./problem";
import { accessToken } from "./tokens";
import { apiUrl } from "./runtimeConfig";

export type Query = Record<string, string | number | boolean | string[] | undefined | null>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value)) value.forEach((v) => params.append(key, v));
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RequestOptions {
  method?: Method;
  body?: unknown;
  /** A form-encoded body instead of JSON (only the OAuth2 sign-in form). */
  form?: Record<string, string>;
  query?: Query;
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** Sign-in and refresh: no Bearer token, and a 401 is the answer, not a reason to renew. */
  anonymous?: boolean;
  /** A 401 is final (sign out): the session is ending anyway. */
  noRenewal?: boolean;
}

const MUTATING: ReadonlySet<Method> = new Set<Method>(["POST", "PUT", "PATCH", "DELETE"]);

/** Renews the session after a 401 (refresh, else sign in again); rejects when it cannot. */
export type SessionRenewal = () => Promise<void>;
let renewSession: SessionRenewal | undefined;

/** The session layer registers how to renew; without one a 401 is final. */
export function setSessionRenewal(renew: SessionRenewal | undefined): void {
  renewSession = renew;
}

/** Renew now (for callers outside `request`, such as the event stream); false when it cannot. */
export async function renewNow(): Promise<boolean> {
  if (!renewSession) return false;
  try {
    await renewSession();
    return true;
  } catch {
    return false;
  }
}

function requestHeaders(method: Method, options: RequestOptions): Record<string, string> {
  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  // Every mutating request says JSON, bodiless POSTs too: the server refuses other types.
  if (options.form) headers["Content-Type"] = "application/x-www-form-urlencoded";
  else if (MUTATING.has(method) || options.body !== undefined) headers["Content-Type"] = "application/json";
  const token = options.anonymous ? undefined : accessToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  return headers;
}

function requestBody(options: RequestOptions): string | undefined {
  if (options.form) return new URLSearchParams(options.form).toString();
  return options.body === undefined ? undefined : JSON.stringify(options.body);
}

async function send(path: string, options: RequestOptions): Promise<Response> {
  const method = options.method ?? "GET";
  try {
    return await fetch(apiUrl(withQuery(path, options.query)), {
      method,
      headers: requestHeaders(method, options),
      body: requestBody(options),
      signal: options.signal,
    });
  } catch (error) {
    throw new ApiError(networkProblem(error));
  }
}

/** Seconds from a Retry-After header (delay or HTTP date), if there is one. */
export function retryAfterSeconds(value: string | null, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

async function failure(response: Response): Promise<ApiError> {
  const problem = toProblem(response.status, response.statusText, await readBody(response));
  const retryAfter = retryAfterSeconds(response.headers.get("Retry-After"));
  return new ApiError(retryAfter === undefined ? problem : { ...problem, retryAfter });
}

/**
 * Call the API; resolves with the parsed JSON body or rejects with an ApiError.
 *
 * A 401 renews the session once (refresh, else the sign-in modal) and repeats the call,
 * so the page that asked never sees the expiry.
 */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await answered(path, options);
  return (await readBody(response)) as T;
}

/** Like `request`, for a file (a report, an export): resolves with the body as a Blob. */
export async function download(path: string, options: RequestOptions = {}): Promise<Blob> {
  const response = await answered(path, { ...options, headers: { Accept: "*/*", ...options.headers } });
  return await response.blob();
}

/** A successful response, after one session renewal on a 401; rejects with an ApiError. */
async function answered(path: string, options: RequestOptions): Promise<Response> {
  let response = await send(path, options);
  if (response.status === 401 && !options.anonymous && !options.noRenewal && renewSession) {
    const unauthenticated = await failure(response);
    try {
      await renewSession();
    } catch {
      throw unauthenticated;
    }
    response = await send(path, options);
  }
  if (!response.ok) throw await failure(response);
  return response;
}
