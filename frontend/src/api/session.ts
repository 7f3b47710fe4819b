/**
 * The session: sign in (OAuth2 password form), refresh, sign out and who am I.
 *
 * Refresh tokens rotate and a reused one revokes its whole family, so concurrent 401s must
 * share one refresh: `refreshSession` is single-flight.
 *
 * When the runtime config names a Cognito pool, the same functions sign in through Cognito
 * (api/cognito.ts) and refresh its tokens shortly before they expire as well as after a 401.
 */
import { cognitoRefresh, cognitoSignIn, cognitoSignOut, type SignInStep } from "./cognito";
import { request } from "./http";
import type { Me, TokenAnswer } from "./identity";
import { ApiError } from "./problem";
import { cognitoPool, type CognitoPool } from "./runtimeConfig";
import { clearTokens, refreshToken, saveTokens } from "./tokens";

export {
  isChallenge,
  isCodeMismatch,
  isNewPasswordChallenge,
  isSessionExpired,
  type Challenge,
  type MfaCodeChallenge,
  type MfaSetupChallenge,
  type NewPasswordChallenge,
  type SignInStep,
} from "./cognito";

const AUTH = "/api/v1/auth";
// Cognito tokens are renewed this long before they expire, so no call meets the expiry.
const RENEW_EARLY_SECONDS = 60;
let refreshing: Promise<Me> | undefined;
let renewal: ReturnType<typeof setTimeout> | undefined;

/** Sign in with a username and password; stores the tokens and returns the user (or Cognito's challenge). */
export async function signIn(username: string, password: string): Promise<SignInStep> {
  const pool = cognitoPool();
  if (pool) return cognitoSignIn(pool, username, password, renewBeforeExpiry);
  const answer = await request<TokenAnswer>(`${AUTH}/token`, {
    method: "POST",
    form: { grant_type: "password", username, password },
    anonymous: true,
  });
  saveTokens(answer);
  return answer.user;
}

/** Refresh the Cognito tokens a little before they expire (a refused refresh waits for the next 401). */
function renewBeforeExpiry(expiresIn: number): void {
  clearTimeout(renewal);
  const delay = Math.max(0, expiresIn - RENEW_EARLY_SECONDS) * 1000;
  renewal = setTimeout(() => void refreshSession().catch(() => undefined), delay);
}

async function refreshLocal(token: string): Promise<Me> {
  try {
    const answer = await request<TokenAnswer>(`${AUTH}/refresh`, {
      method: "POST",
      body: { refresh_token: token },
      anonymous: true,
    });
    saveTokens(answer);
    return answer.user;
  } catch (error) {
    clearTokens(); // a refused refresh token is spent either way
    throw error;
  }
}

async function refreshCognito(pool: CognitoPool, token: string): Promise<Me> {
  try {
    return await cognitoRefresh(pool, token, renewBeforeExpiry);
  } catch (error) {
    // Cognito does not rotate refresh tokens: only a refused one is dropped, not a network blip.
    if (error instanceof ApiError && error.status === 401) forget();
    throw error;
  }
}

/** Trade the stored refresh token for new tokens; rejects when there is none or it is refused. */
export function refreshSession(): Promise<Me> {
  const token = refreshToken();
  if (!token) return Promise.reject(new Error("not signed in"));
  const pool = cognitoPool();
  refreshing ??= (pool ? refreshCognito(pool, token) : refreshLocal(token)).finally(() => {
    refreshing = undefined;
  });
  return refreshing;
}

/** The signed-in user with their permissions. */
export function fetchMe(signal?: AbortSignal): Promise<Me> {
  return request<Me>(`${AUTH}/me`, { signal });
}

/** Forget the tokens and stop any planned renewal. */
function forget(): void {
  clearTimeout(renewal);
  renewal = undefined;
  clearTokens();
}

/** Revoke the session on the server (or at Cognito), then forget the tokens whatever it answered. */
export async function signOut(): Promise<void> {
  const pool = cognitoPool();
  const token = refreshToken();
  try {
    if (pool) await cognitoSignOut(pool);
    else await request<void>(`${AUTH}/logout`, { method: "POST", body: token ? { refresh_token: token } : {},
      noRenewal: true,
    });
  } finally {
    forget();
  }
}
