/**
 * Sign-in through a Cognito user pool, from the browser, with Cognito's own JSON API
 * (USER_PASSWORD_AUTH over TLS: no SDK, no secret; docs/identity.md "The web UI on AWS").
 *
 * The API is called with the **ID token**: API Gateway's Cognito authorizer on a REST API
 * accepts ID tokens when its method names no OAuth scopes (ours names none), and drorch's
 * verifier checks the ID token's `aud` against the UI's app client. Cognito's access token
 * is kept in memory only to sign out with (GlobalSignOut).
 */
import type { Me } from "./identity";
import { request } from "./http";
import { ApiError, type Problem } from "./problem";
import type { CognitoPool } from "./runtimeConfig";
import { clearTokens, saveTokens, signOutToken } from "./tokens";

const SERVICE = "AWSCognitoIdentityProviderService";
const ME = "/api/v1/auth/me";

/** What Cognito answers a sign-in, a challenge response or a refresh with. */
interface AuthAnswer {
  AuthenticationResult?: { IdToken: string; AccessToken: string; RefreshToken?: string; ExpiresIn: number };
  ChallengeName?: string;
  Session?: string;
  ChallengeParameters?: Record<string, string>;
}

/** Cognito asks for a new password (a first sign-in with a temporary one). */
export interface NewPasswordChallenge {
  kind: "new-password";
  username: string;
  /** Set the new password; resolves with the signed-in user. */
  complete: (newPassword: string) => Promise<Me>;
}

export type SignInStep = Me | NewPasswordChallenge;

export function isNewPasswordChallenge(step: SignInStep): step is NewPasswordChallenge {
  return (step as NewPasswordChallenge).kind === "new-password";
}

// Cognito's exception names, as readable problems; a 401 reads as "wrong username or password".
const PROBLEMS: Record<string, Pick<Problem, "status" | "title">> = {
  NotAuthorizedException: { status: 401, title: "Sign-in failed" },
  UserNotFoundException: { status: 401, title: "Sign-in failed" },
  PasswordResetRequiredException: { status: 403, title: "Password reset required" },
  UserNotConfirmedException: { status: 403, title: "Account not confirmed" },
  InvalidPasswordException: { status: 400, title: "Password not accepted" },
  TooManyRequestsException: { status: 429, title: "Too many requests" },
  TooManyFailedAttemptsException: { status: 429, title: "Too many requests" },
  LimitExceededException: { status: 429, title: "Too many requests" },
};

const DETAILS: Record<string, string> = {
  PasswordResetRequiredException:
    "An administrator has reset this password. Ask them for a new temporary password, then sign in with it.",
};

/** An ApiError from Cognito's error answer (`__type` may carry a namespace before `#`). */
export function cognitoError(status: number, body: unknown): ApiError {
  const record = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  const code = String(record.__type ?? record.code ?? "").split("#").pop() || `HTTP ${status}`;
  const message = typeof record.message === "string" ? record.message : String(record.Message ?? code);
  const known = PROBLEMS[code] ?? { status, title: code };
  return new ApiError({ ...known, detail: DETAILS[code] ?? message, errors: [], conflicts: [] });
}

/** One call of Cognito's API; rejects with an ApiError (status 0 when Cognito is unreachable). */
export async function cognitoCall<T>(pool: CognitoPool, action: string, body: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(pool.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": `${SERVICE}.${action}` },
      body: JSON.stringify(body),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ApiError({ status: 0, title: "Network error", detail: `Cognito could not be reached: ${message}`, errors: [], conflicts: [] });
  }
  const parsed = parse(await response.text());
  if (!response.ok) throw cognitoError(response.status, parsed);
  return parsed as T;
}

function parse(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : {};
  } catch {
    return { message: text }; // e.g. a proxy's HTML error page
  }
}

/** Keep the tokens of an answer (a refresh answers no refresh token: the old one stays). */
function keep(answer: AuthAnswer, refreshToken?: string): number {
  const result = answer.AuthenticationResult;
  const refresh = result?.RefreshToken ?? refreshToken;
  if (!result || !refresh) {
    const detail = answer.ChallengeName
      ? `Cognito asks for ${answer.ChallengeName}, which this console does not support yet.`
      : "Cognito answered without tokens.";
    throw new ApiError({ status: 400, title: "Sign-in not completed", detail, errors: [], conflicts: [] });
  }
  saveTokens({ access_token: result.IdToken, refresh_token: refresh, sign_out_token: result.AccessToken });
  return result.ExpiresIn;
}

/** Who the API says the new tokens belong to (a 401 here is final: no renewal loop). */
async function me(): Promise<Me> {
  try {
    return await request<Me>(ME, { noRenewal: true });
  } catch (error) {
    clearTokens(); // e.g. a user in no group mapped to a role: no half-made session stays
    throw error;
  }
}

/** The step after a sign-in or challenge answer: the user, or the next challenge. */
async function next(pool: CognitoPool, username: string, answer: AuthAnswer, onTokens: Expiry): Promise<SignInStep> {
  if (answer.ChallengeName === "NEW_PASSWORD_REQUIRED" && answer.Session) {
    const session = answer.Session;
    const who = answer.ChallengeParameters?.USERNAME ?? username;
    return { kind: "new-password", username: who, complete: (password) => newPassword(pool, who, session, password, onTokens) };
  }
  onTokens(keep(answer));
  return me();
}

/** Called with the tokens' lifetime (seconds) each time new tokens are kept. */
export type Expiry = (expiresIn: number) => void;

/** USER_PASSWORD_AUTH: the user, or the new-password challenge of a temporary password. */
export async function cognitoSignIn(pool: CognitoPool, username: string, password: string, onTokens: Expiry): Promise<SignInStep> {
  const answer = await cognitoCall<AuthAnswer>(pool, "InitiateAuth", {
    AuthFlow: "USER_PASSWORD_AUTH",
    ClientId: pool.clientId,
    AuthParameters: { USERNAME: username, PASSWORD: password },
  });
  return next(pool, username, answer, onTokens);
}

async function newPassword(pool: CognitoPool, username: string, session: string, password: string, onTokens: Expiry): Promise<Me> {
  const answer = await cognitoCall<AuthAnswer>(pool, "RespondToAuthChallenge", {
    ChallengeName: "NEW_PASSWORD_REQUIRED",
    ClientId: pool.clientId,
    Session: session,
    ChallengeResponses: { USERNAME: username, NEW_PASSWORD: password },
  });
  const step = await next(pool, username, answer, onTokens);
  if (isNewPasswordChallenge(step)) throw new ApiError({ status: 400, title: "Sign-in not completed", detail: "Cognito asked for a new password again.", errors: [], conflicts: [] });
  return step;
}

/** REFRESH_TOKEN_AUTH: new ID and access tokens for the same refresh token. */
export async function cognitoRefresh(pool: CognitoPool, refreshToken: string, onTokens: Expiry): Promise<Me> {
  const answer = await cognitoCall<AuthAnswer>(pool, "InitiateAuth", {
    AuthFlow: "REFRESH_TOKEN_AUTH",
    ClientId: pool.clientId,
    AuthParameters: { REFRESH_TOKEN: refreshToken },
  });
  onTokens(keep(answer, refreshToken));
  return me();
}

/** GlobalSignOut: Cognito revokes the user's refresh tokens (every device's). */
export async function cognitoSignOut(pool: CognitoPool): Promise<void> {
  const token = signOutToken();
  if (token) await cognitoCall(pool, "GlobalSignOut", { AccessToken: token });
}
