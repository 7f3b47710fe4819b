/**
 * Where the session's tokens live: the access token only in memory (gone on reload, so a
 * script that reads storage never sees it), the refresh token in sessionStorage (one tab,
 * survives a reload, dropped when the tab closes).
 */

const REFRESH_KEY = "drorch.refresh_token";
let access: string | undefined;
let signOut: string | undefined;

export interface Tokens {
  access_token: string;
  refresh_token: string;
  /** Cognito's access token, kept (in memory) only to sign out with; the API gets the ID token. */
  sign_out_token?: string;
}

export function accessToken(): string | undefined {
  return access;
}

export function refreshToken(): string | undefined {
  try {
    return sessionStorage.getItem(REFRESH_KEY) ?? undefined;
  } catch {
    return undefined; // storage disabled: the session lasts as long as the page
  }
}

/** The token that ends the session at the identity provider (Cognito), if it needs one. */
export function signOutToken(): string | undefined {
  return signOut;
}

export function saveTokens(tokens: Tokens): void {
  access = tokens.access_token;
  signOut = tokens.sign_out_token;
  try {
    sessionStorage.setItem(REFRESH_KEY, tokens.refresh_token);
  } catch {
    // storage disabled: keep the access token only
  }
}

export function clearTokens(): void {
  access = undefined;
  signOut = undefined;
  try {
    sessionStorage.removeItem(REFRESH_KEY);
  } catch {
    // nothing stored
  }
}
