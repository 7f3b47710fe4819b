/**
 * The session: sign in (OAuth2 password form), refresh, sign out and who am I.
 *
 * Refresh tokens rotate and a reused one revokes its whole family, so concurrent 401s must
 * share one refresh: `refreshSession` is single-flight.
 */
import { request } from "./http";
import type { Me, TokenAnswer } from "./identity";
import { clearTokens, refreshToken, saveTokens } from "./tokens";

const AUTH = "/api/v1/auth";
let refreshing: Promise<Me> | undefined;

/** Sign in with a username and password; stores the tokens and returns the user. */
export async function signIn(username: string, password: string): Promise<Me> {
  const answer = await request<TokenAnswer>(`${AUTH}/token`, {
    method: "POST",
    form: { grant_type: "password", username, password },
    anonymous: true,
  });
  saveTokens(answer);
  return answer.user;
}

async function refreshNow(token: string): Promise<Me> {
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

/** Trade the stored refresh token for new tokens; rejects when there is none or it is refused. */
export function refreshSession(): Promise<Me> {
  const token = refreshToken();
  if (!token) return Promise.reject(new Error("not signed in"));
  refreshing ??= refreshNow(token).finally(() => {
    refreshing = undefined;
  });
  return refreshing;
}

/** The signed-in user with their permissions. */
export function fetchMe(signal?: AbortSignal): Promise<Me> {
  return request<Me>(`${AUTH}/me`, { signal });
}

/** Revoke the session on the server, then forget the tokens whatever it answered. */
export async function signOut(): Promise<void> {
  const token = refreshToken();
  try {
    await request<void>(`${AUTH}/logout`, { method: "POST", body: token ? { refresh_token: token } : {},
      noRenewal: true,
    });
  } finally {
    clearTokens();
  }
}
