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
  /** Set the new password; resolves with the user or the next challenge (MFA). */
  complete: (newPassword: string) => Promise<SignInStep>;
}

/** Cognito asks for the 6-digit code of the user's authenticator app (SOFTWARE_TOKEN_MFA). */
export interface MfaCodeChallenge {
  kind: "mfa-code";
  username: string;
  /** Send the code; a wrong one rejects with CodeMismatch and the challenge stays usable. */
  complete: (code: string) => Promise<SignInStep>;
}

/** The pool requires MFA and the user has no device yet (MFA_SETUP): pair an authenticator app. */
export interface MfaSetupChallenge {
  kind: "mfa-setup";
  username: string;
  /** The TOTP secret (base32) to type into the app. */
  secret: string;
  /** The same secret as an otpauth:// URI, for apps that take one. */
  uri: string;
  /** Verify the app's first code, then finish the challenge. */
  complete: (code: string) => Promise<SignInStep>;
}

export type Challenge = NewPasswordChallenge | MfaCodeChallenge | MfaSetupChallenge;
export type SignInStep = Me | Challenge;

/** Whether a sign-in step is a challenge still to answer (rather than the signed-in user). */
export function isChallenge(step: SignInStep): step is Challenge {
  const kind = (step as Partial<Challenge>).kind;
  return kind === "new-password" || kind === "mfa-code" || kind === "mfa-setup";
}

export function isNewPasswordChallenge(step: SignInStep): step is NewPasswordChallenge {
  return isChallenge(step) && step.kind === "new-password";
}

/** Cognito's exception name behind an ApiError from `cognitoCall` (empty for other errors). */
export function cognitoCode(error: unknown): string {
  return error instanceof CognitoError ? error.code : "";
}

/** A wrong MFA code: the challenge's session still holds, so the user may try again. */
export function isCodeMismatch(error: unknown): boolean {
  return ["CodeMismatchException", "EnableSoftwareTokenMFAException"].includes(cognitoCode(error));
}

/** The challenge's session is spent or expired (Cognito allows 3 minutes): start over with the password. */
export function isSessionExpired(error: unknown): boolean {
  const code = cognitoCode(error);
  return code === "ExpiredCodeException" || (code === "NotAuthorizedException" && /session/i.test(error instanceof Error ? error.message : ""));
}

/** An ApiError that remembers Cognito's exception name, so the forms can tell a wrong code from an expired session. */
class CognitoError extends ApiError {
  readonly code: string;

  constructor(code: string, problem: Problem) {
    super(problem);
    this.code = code;
  }
}

// Cognito's exception names, as readable problems; a 401 reads as "wrong username or password".
const PROBLEMS: Record<string, Pick<Problem, "status" | "title">> = {
  NotAuthorizedException: { status: 401, title: "Sign-in failed" },
  UserNotFoundException: { status: 401, title: "Sign-in failed" },
  PasswordResetRequiredException: { status: 403, title: "Password reset required" },
  UserNotConfirmedException: { status: 403, title: "Account not confirmed" },
  InvalidPasswordException: { status: 400, title: "Password not accepted" },
  CodeMismatchException: { status: 400, title: "Code not accepted" },
  EnableSoftwareTokenMFAException: { status: 400, title: "Code not accepted" },
  ExpiredCodeException: { status: 400, title: "Sign-in expired" },
  TooManyRequestsException: { status: 429, title: "Too many requests" },
  TooManyFailedAttemptsException: { status: 429, title: "Too many requests" },
  LimitExceededException: { status: 429, title: "Too many requests" },
};

const DETAILS: Record<string, string> = {
  PasswordResetRequiredException:
    "An administrator has reset this password. Ask them for a new temporary password, then sign in with it.",
  CodeMismatchException: "That code is not the one your authenticator app shows now. Check the app and type the current 6-digit code.",
  EnableSoftwareTokenMFAException:
    "That code does not match the secret. Check that the app holds the secret shown here and type its current 6-digit code.",
};

/** An ApiError from Cognito's error answer (`__type` may carry a namespace before `#`). */
export function cognitoError(status: number, body: unknown): ApiError {
  const record = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  const code = String(record.__type ?? record.code ?? "").split("#").pop() || `HTTP ${status}`;
  const message = typeof record.message === "string" ? record.message : String(record.Message ?? code);
  const known = PROBLEMS[code] ?? { status, title: code };
  return new CognitoError(code, { ...known, detail: DETAILS[code] ?? message, errors: [], conflicts: [] });
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
      ? `Cognito asks for ${answer.ChallengeName}; this console answers a new password and authenticator-app (TOTP) codes only.`
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

/** What every step of one sign-in shares: the pool, who signs in, and where new tokens go. */
interface Flow {
  pool: CognitoPool;
  username: string;
  onTokens: Expiry;
}

type ChallengeMaker = (flow: Flow, session: string) => Challenge | Promise<Challenge>;

// Each challenge Cognito may send, and the step that answers it; the steps chain through next().
const CHALLENGES: Record<string, ChallengeMaker> = {
  NEW_PASSWORD_REQUIRED: (flow, session) => ({
    kind: "new-password",
    username: flow.username,
    complete: (password) => respond(flow, "NEW_PASSWORD_REQUIRED", session, { NEW_PASSWORD: password }),
  }),
  SOFTWARE_TOKEN_MFA: (flow, session) => ({
    kind: "mfa-code",
    username: flow.username,
    complete: (code) => respond(flow, "SOFTWARE_TOKEN_MFA", session, { SOFTWARE_TOKEN_MFA_CODE: code.trim() }),
  }),
  MFA_SETUP: mfaSetup,
};

/** The step after a sign-in or challenge answer: the user, or the next challenge. */
async function next(flow: Flow, answer: AuthAnswer): Promise<SignInStep> {
  const make = answer.ChallengeName ? CHALLENGES[answer.ChallengeName] : undefined;
  if (make && answer.Session) {
    const username = answer.ChallengeParameters?.USERNAME ?? flow.username;
    return make({ ...flow, username }, answer.Session);
  }
  flow.onTokens(keep(answer));
  return me();
}

/** RespondToAuthChallenge with USERNAME plus the challenge's own responses. */
async function respond(flow: Flow, challenge: string, session: string, responses: Record<string, string>): Promise<SignInStep> {
  const answer = await cognitoCall<AuthAnswer>(flow.pool, "RespondToAuthChallenge", {
    ChallengeName: challenge,
    ClientId: flow.pool.clientId,
    Session: session,
    ChallengeResponses: { USERNAME: flow.username, ...responses },
  });
  return next(flow, answer);
}

/** MFA_SETUP: get a TOTP secret for the challenge's session; completing verifies the first code. */
async function mfaSetup(flow: Flow, session: string): Promise<MfaSetupChallenge> {
  const associated = await cognitoCall<{ SecretCode: string; Session?: string }>(flow.pool, "AssociateSoftwareToken", { Session: session });
  // Each call answers a new session; a wrong code's retry goes on from the latest one.
  let current = associated.Session ?? session;
  const complete = async (code: string): Promise<SignInStep> => {
    const verified = await cognitoCall<{ Status?: string; Session?: string }>(flow.pool, "VerifySoftwareToken", {
      Session: current,
      UserCode: code.trim(),
      FriendlyDeviceName: DEVICE_NAME,
    });
    current = verified.Session ?? current;
    if (verified.Status && verified.Status !== "SUCCESS") throw cognitoError(400, { __type: "EnableSoftwareTokenMFAException", message: "Code mismatch" });
    return respond(flow, "MFA_SETUP", current, {});
  };
  return { kind: "mfa-setup", username: flow.username, secret: associated.SecretCode, uri: otpauthUri(flow.username, associated.SecretCode), complete };
}

// The name the paired device carries in Cognito, and the issuer authenticator apps show.
const DEVICE_NAME = "drorch";

/** The otpauth:// URI authenticator apps read (Key Uri Format: label issuer:account, secret in base32). */
export function otpauthUri(username: string, secret: string): string {
  const label = `${encodeURIComponent(DEVICE_NAME)}:${encodeURIComponent(username)}`;
  return `otpauth://totp/${label}?secret=${encodeURIComponent(secret)}&issuer=${encodeURIComponent(DEVICE_NAME)}`;
}

/** Called with the tokens' lifetime (seconds) each time new tokens are kept. */
export type Expiry = (expiresIn: number) => void;

/** USER_PASSWORD_AUTH: the user, or the first challenge (new password, MFA code, MFA setup). */
export async function cognitoSignIn(pool: CognitoPool, username: string, password: string, onTokens: Expiry): Promise<SignInStep> {
  const answer = await cognitoCall<AuthAnswer>(pool, "InitiateAuth", {
    AuthFlow: "USER_PASSWORD_AUTH",
    ClientId: pool.clientId,
    AuthParameters: { USERNAME: username, PASSWORD: password },
  });
  return next({ pool, username, onTokens }, answer);
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
