/**
 * The runtime config a deployment publishes beside the UI (`/config.json`, written by
 * `drorch deploy`): where the API is and which Cognito pool signs people in. Served by
 * `drorch serve` there is none, and every call stays on the UI's own origin.
 */
export interface RuntimeConfig {
  environment?: string;
  apiUrl?: string;
  region?: string;
  cognito?: CognitoConfig;
}

/** The user pool the UI signs in with (`endpoint` only where it is not AWS's, e.g. moto). */
export interface CognitoConfig {
  userPoolId?: string;
  clientId?: string;
  region?: string;
  endpoint?: string;
}

/** A Cognito pool named completely: the UI signs in through it instead of drorch's form. */
export interface CognitoPool {
  userPoolId: string;
  clientId: string;
  region: string;
  endpoint: string;
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

/** The configured Cognito pool, or undefined when sign-in is drorch's own. */
export function cognitoPool(): CognitoPool | undefined {
  const { userPoolId, clientId, endpoint } = current.cognito ?? {};
  if (!userPoolId || !clientId) return undefined;
  // A pool id starts with its Region (`eu-west-1_AbC123`); older configs named it once, on top.
  const region = current.cognito?.region || current.region || regionOfPool(userPoolId);
  if (!region) return undefined;
  return { userPoolId, clientId, region, endpoint: endpoint || `https://cognito-idp.${region}.amazonaws.com/` };
}

function regionOfPool(userPoolId: string): string {
  const at = userPoolId.indexOf("_");
  return at > 0 ? userPoolId.slice(0, at) : "";
}

/** Forget the loaded config (tests). */
export function resetRuntimeConfig(): void {
  current = {};
}
