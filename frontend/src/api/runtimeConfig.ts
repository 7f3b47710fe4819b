/**
 * The runtime config a deployment publishes beside the UI (`/config.json`, written by
 * `drorch deploy`): where the API is and which Cognito pool signs people in. Served by
 * `drorch serve` there is none, and every call stays on the UI's own origin.
 */
export interface RuntimeConfig {
  environment?: string;
  apiUrl?: string;
  region?: string;
  cognito?: { userPoolId?: string; clientId?: string };
}

let current: RuntimeConfig = {};

/** Read `/config.json` once at start; a missing or non-JSON answer leaves the defaults. */
export async function loadRuntimeConfig(fetcher: typeof fetch = fetch): Promise<RuntimeConfig> {
  try {
    const response = await fetcher("/config.json", { cache: "no-cache" });
    const type = response.headers.get("Content-Type") ?? "";
    // A local server answers unknown paths with the UI's index.html: that is no config.
    if (response.ok && type.includes("json")) current = (await response.json()) as RuntimeConfig;
  } catch {
    // No config reachable: same-origin defaults.
  }
  return current;
}

/** The config loaded at start. */
export function runtimeConfig(): RuntimeConfig {
  return current;
}

/** `path` (e.g. `/api/v1/...`) on the configured API, or unchanged on the UI's origin. */
export function apiUrl(path: string): string {
  const base = (current.apiUrl ?? "").replace(/\/+$/, "");
  return base && path.startsWith("/") ? `${base}${path}` : path;
}

/** Forget the loaded config (tests). */
export function resetRuntimeConfig(): void {
  current = {};
}
