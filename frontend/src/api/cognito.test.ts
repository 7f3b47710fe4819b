import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { signInMessage } from "../session/signInError";
import { userOf } from "../test/access";
import { fakeApi, type Answer, type Call } from "../test/fakeApi";
import { api } from "./client";
import { setSessionRenewal } from "./http";
import { ApiError } from "./problem";
import { loadRuntimeConfig, resetRuntimeConfig } from "./runtimeConfig";
import { isChallenge, isCodeMismatch, isNewPasswordChallenge, isSessionExpired, refreshSession, signIn, signOut, type Challenge, type SignInStep } from "./session";
import { accessToken, clearTokens, refreshToken, signOutToken } from "./tokens";

const ADA = userOf("admin", "ada");
const POOL = { userPoolId: "eu-west-1_Pool1", clientId: "ui-client" };
const TARGET = "AWSCognitoIdentityProviderService.";
const GROUPS = "GET /api/v1/protection-groups";

type Target = (body: Record<string, unknown>, call: Call) => Answer;

function result(n: number, refresh = true) {
  return {
    AuthenticationResult: {
      IdToken: `id-${n}`,
      AccessToken: `cognito-access-${n}`,
      ...(refresh ? { RefreshToken: "cognito-refresh" } : {}),
      ExpiresIn: 3600,
      TokenType: "Bearer",
    },
  };
}

function failure(type: string, message: string, status = 400): Answer {
  return { status, body: { __type: type, message } };
}

/** Cognito's endpoint (POST / with X-Amz-Target) beside the API's /auth/me and groups. */
function fakeCognito(targets: Record<string, Target>, validId = 1) {
  return fakeApi({
    "POST /": (body, _url, call) => {
      const action = call.headers["X-Amz-Target"]!.slice(TARGET.length);
      const handler = targets[action];
      return handler ? handler(body as Record<string, unknown>, call) : failure("UnknownOperationException", action);
    },
    "GET /api/v1/auth/me": (_b, _u, call) =>
      call.headers.Authorization?.startsWith("Bearer id-") ? { body: ADA } : { status: 401, body: { title: "Not signed in", detail: "no token" } },
    [GROUPS]: (_b, _u, call) =>
      call.headers.Authorization === `Bearer id-${validId}`
        ? { body: { items: [], next_cursor: null } }
        : { status: 401, body: { title: "Not signed in", detail: "expired" } },
  });
}

async function configure(cognito: Record<string, string> = POOL) {
  const answer = async () => new Response(JSON.stringify({ cognito }), { headers: { "Content-Type": "application/json" } });
  await loadRuntimeConfig(answer as typeof fetch);
}

const cognitoCalls = (calls: Call[]) => calls.filter((c) => c.path === "/" && c.method === "POST");

/** The step as the challenge of `kind` it must be; anything else fails the test. */
function challengeOf<K extends Challenge["kind"]>(step: SignInStep, kind: K): Extract<Challenge, { kind: K }> {
  if (!isChallenge(step) || step.kind !== kind) throw new Error(`expected the ${kind} challenge, got ${JSON.stringify(step)}`);
  return step as Extract<Challenge, { kind: K }>;
}

/** Sign ada in with `password`; Cognito must answer with a challenge of `kind`. */
async function challenged<K extends Challenge["kind"]>(kind: K, password = "Secret-pass-1234") {
  return challengeOf(await signIn("ada", password), kind);
}

/** The RespondToAuthChallenge body the console sends for the UI's app client. */
function answerTo(challenge: string, session: string, responses: Record<string, string>) {
  return { ChallengeName: challenge, ClientId: POOL.clientId, Session: session, ChallengeResponses: responses };
}

beforeEach(() => configure());

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  setSessionRenewal(undefined);
  clearTokens();
  resetRuntimeConfig();
});

describe("Cognito sign-in", () => {
  it("signs in with USER_PASSWORD_AUTH at the pool's Region and calls the API with the ID token", async () => {
    const fake = fakeCognito({ InitiateAuth: () => ({ body: result(1) }) });

    const me = await signIn("ada", "Secret-pass-1234");

    expect(isNewPasswordChallenge(me)).toBe(false);
    expect(me.username).toBe("ada");
    const [call] = cognitoCalls(fake.calls);
    expect(String(fake.fetchMock.mock.calls[0]![0])).toBe("https://cognito-idp.eu-west-1.amazonaws.com/");
    expect(call!.headers).toEqual({
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
    });
    expect(call!.body).toEqual({
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: "ui-client",
      AuthParameters: { USERNAME: "ada", PASSWORD: "Secret-pass-1234" },
    });
    expect(fake.calls[1]!.headers.Authorization).toBe("Bearer id-1");
    expect(accessToken()).toBe("id-1");
    expect(signOutToken()).toBe("cognito-access-1");
    expect(refreshToken()).toBe("cognito-refresh");
    expect(JSON.stringify({ ...sessionStorage })).not.toMatch(/id-1|cognito-access/);
  });

  it("uses the configured endpoint and Region instead of AWS's default", async () => {
    await configure({ ...POOL, region: "us-east-1", endpoint: "http://127.0.0.1:5000" });
    const fake = fakeCognito({ InitiateAuth: () => ({ body: result(1) }) });
    await signIn("ada", "Secret-pass-1234");
    expect(String(fake.fetchMock.mock.calls[0]![0])).toBe("http://127.0.0.1:5000");
  });

  it("answers a temporary password with the new-password challenge, then responds to it", async () => {
    const fake = fakeCognito({
      InitiateAuth: () => ({ body: { ChallengeName: "NEW_PASSWORD_REQUIRED", Session: "s-1", ChallengeParameters: { USERNAME: "ada" } } }),
      RespondToAuthChallenge: () => ({ body: result(2) }),
    });

    const step = await challenged("new-password", "Temporary-1234");
    expect(accessToken()).toBeUndefined();
    const me = await step.complete("Chosen-pass-5678");

    expect(me.username).toBe("ada");
    expect(cognitoCalls(fake.calls)[1]!.body).toEqual(answerTo("NEW_PASSWORD_REQUIRED", "s-1", { USERNAME: "ada", NEW_PASSWORD: "Chosen-pass-5678" }));
    expect(accessToken()).toBe("id-2");
  });

  it("shows a wrong password and an unknown user alike, and says what else went wrong", async () => {
    const answers = [
      failure("NotAuthorizedException", "Incorrect username or password."),
      failure("com.amazonaws.cognito#UserNotFoundException", "User does not exist."),
      failure("PasswordResetRequiredException", "Password reset required for the user"),
      failure("InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client"),
    ];
    fakeCognito({ InitiateAuth: () => answers.shift()! });
    const attempt = async () => signInMessage((await signIn("ada", "x").catch((e: unknown) => e)) as ApiError);

    const wrong = await attempt();
    expect(await attempt()).toEqual(wrong);
    expect(wrong.text).toBe("The username or password is not right. Check both and try again.");
    expect((await attempt()).header).toBe("Password reset required");
    expect(await attempt()).toEqual({ header: "InvalidParameterException", text: "USER_PASSWORD_AUTH flow not enabled for this client" });
  });

  it("says so when Cognito cannot be reached", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    const error = (await signIn("ada", "x").catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(0);
    expect(signInMessage(error)).toEqual({ header: "Network error", text: "Cognito could not be reached: Failed to fetch" });
  });

  it("keeps no session for a user the API refuses (no group mapped to a role)", async () => {
    const fake = fakeCognito({ InitiateAuth: () => ({ body: result(1) }) });
    const routes = fake.fetchMock.getMockImplementation()!;
    fake.fetchMock.mockImplementation(async (input, init) =>
      String(input).endsWith("/auth/me")
        ? new Response(JSON.stringify({ title: "Forbidden", detail: "in no group mapped to a drorch role" }), { status: 403 })
        : routes(input, init),
    );
    const error = (await signIn("ada", "Secret-pass-1234").catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(403);
    expect(accessToken()).toBeUndefined();
    expect(refreshToken()).toBeUndefined();
  });
});

describe("Cognito session upkeep", () => {
  it("refreshes once with REFRESH_TOKEN_AUTH when several calls meet a 401, and keeps the refresh token", async () => {
    let refreshes = 0;
    const fake = fakeCognito(
      {
        InitiateAuth: (body) => {
          if (body.AuthFlow !== "REFRESH_TOKEN_AUTH") return { body: result(1) };
          refreshes += 1;
          return { body: result(2, false) };
        },
      },
      2,
    );
    await signIn("ada", "Secret-pass-1234");
    setSessionRenewal(() => refreshSession().then(() => undefined));

    const pages = await Promise.all([api.listGroups(), api.listGroups(), api.listGroups()]);

    expect(pages.map((p) => p.items)).toEqual([[], [], []]);
    expect(refreshes).toBe(1);
    const refresh = cognitoCalls(fake.calls)[1]!;
    expect(refresh.body).toEqual({ AuthFlow: "REFRESH_TOKEN_AUTH", ClientId: "ui-client", AuthParameters: { REFRESH_TOKEN: "cognito-refresh" } });
    expect(accessToken()).toBe("id-2");
    expect(refreshToken()).toBe("cognito-refresh");
  });

  it("refreshes a minute before the tokens expire", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const flows: unknown[] = [];
    fakeCognito({
      InitiateAuth: (body) => {
        flows.push(body.AuthFlow);
        return { body: body.AuthFlow === "REFRESH_TOKEN_AUTH" ? result(2, false) : result(1) };
      },
    });
    await signIn("ada", "Secret-pass-1234");

    await vi.advanceTimersByTimeAsync(3530_000);
    expect(flows).toEqual(["USER_PASSWORD_AUTH"]);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(flows).toEqual(["USER_PASSWORD_AUTH", "REFRESH_TOKEN_AUTH"]);
    expect(accessToken()).toBe("id-2");
  });

  it("drops a refused refresh token but keeps it through a network failure", async () => {
    const answers: Array<Answer | Error> = [{ body: result(1) }, new TypeError("offline"), failure("NotAuthorizedException", "Refresh Token has been revoked")];
    // A handler that throws makes the fake fetch reject, as fetch does when the network fails.
    fakeCognito({
      InitiateAuth: () => {
        const next = answers.shift()!;
        if (next instanceof Error) throw next;
        return next;
      },
    });
    await signIn("ada", "Secret-pass-1234");

    expect(((await refreshSession().catch((e: unknown) => e)) as ApiError).status).toBe(0);
    expect(refreshToken()).toBe("cognito-refresh");
    expect(((await refreshSession().catch((e: unknown) => e)) as ApiError).status).toBe(401);
    expect(refreshToken()).toBeUndefined();
    expect(accessToken()).toBeUndefined();
  });

  it("signs out with GlobalSignOut and forgets the tokens even when Cognito refuses", async () => {
    const fake = fakeCognito({
      InitiateAuth: () => ({ body: result(1) }),
      GlobalSignOut: () => failure("NotAuthorizedException", "Access Token has been revoked"),
    });
    await signIn("ada", "Secret-pass-1234");

    await expect(signOut()).rejects.toBeInstanceOf(ApiError);

    const out = cognitoCalls(fake.calls)[1]!;
    expect(out.headers["X-Amz-Target"]).toBe("AWSCognitoIdentityProviderService.GlobalSignOut");
    expect(out.body).toEqual({ AccessToken: "cognito-access-1" });
    expect(fake.calls.some((c) => c.path === "/api/v1/auth/logout")).toBe(false);
    expect([accessToken(), refreshToken(), signOutToken()]).toEqual([undefined, undefined, undefined]);
  });
});

const MFA_CHALLENGE = { ChallengeName: "SOFTWARE_TOKEN_MFA", Session: "mfa-1", ChallengeParameters: { USERNAME: "ada" } };
const SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/** RespondToAuthChallenge that accepts only `good` as the TOTP code. */
function totp(good: string): Target {
  return (body) => {
    const responses = body.ChallengeResponses as Record<string, string>;
    return responses.SOFTWARE_TOKEN_MFA_CODE === good ? { body: result(3) } : failure("CodeMismatchException", "Invalid code received for user");
  };
}

describe("Cognito MFA", () => {
  it("answers SOFTWARE_TOKEN_MFA with the app's code and the challenge's session", async () => {
    const fake = fakeCognito({ InitiateAuth: () => ({ body: MFA_CHALLENGE }), RespondToAuthChallenge: totp("123456") });

    const step = await challenged("mfa-code");
    expect(accessToken()).toBeUndefined();
    const me = await step.complete(" 123456 ");

    expect(isChallenge(me)).toBe(false);
    expect(cognitoCalls(fake.calls)[1]!.body).toEqual(answerTo("SOFTWARE_TOKEN_MFA", "mfa-1", { USERNAME: "ada", SOFTWARE_TOKEN_MFA_CODE: "123456" }));
    expect(accessToken()).toBe("id-3");
  });

  it("lets a wrong code be retried with the same session", async () => {
    const fake = fakeCognito({ InitiateAuth: () => ({ body: MFA_CHALLENGE }), RespondToAuthChallenge: totp("654321") });
    const step = await challenged("mfa-code");

    const wrong = await step.complete("111111").catch((e: unknown) => e);
    expect(isCodeMismatch(wrong)).toBe(true);
    expect(isSessionExpired(wrong)).toBe(false);
    expect((wrong as ApiError).problem.title).toBe("Code not accepted");
    expect(accessToken()).toBeUndefined();

    expect(isChallenge(await step.complete("654321"))).toBe(false);
    const sessions = cognitoCalls(fake.calls).slice(1).map((c) => (c.body as { Session: string }).Session);
    expect(sessions).toEqual(["mfa-1", "mfa-1"]);
    expect(accessToken()).toBe("id-3");
  });

  it("tells an expired challenge session apart from a wrong code", async () => {
    fakeCognito({
      InitiateAuth: () => ({ body: MFA_CHALLENGE }),
      RespondToAuthChallenge: () => failure("NotAuthorizedException", "Invalid session for the user, session is expired."),
    });
    const step = await challenged("mfa-code");
    const error = await step.complete("123456").catch((e: unknown) => e);
    expect(isSessionExpired(error)).toBe(true);
    expect(isCodeMismatch(error)).toBe(false);
    // A wrong password is a NotAuthorizedException too, but not an expired session.
    expect(isSessionExpired(new ApiError({ status: 401, title: "Sign-in failed", detail: "Incorrect username or password.", errors: [], conflicts: [] }))).toBe(false);
  });

  it("pairs an app for MFA_SETUP: associate, verify the first code, then finish the challenge", async () => {
    const verified: string[] = [];
    const fake = fakeCognito({
      InitiateAuth: () => ({ body: { ChallengeName: "MFA_SETUP", Session: "setup-1", ChallengeParameters: { MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]' } } }),
      AssociateSoftwareToken: () => ({ body: { SecretCode: SECRET, Session: "setup-2" } }),
      VerifySoftwareToken: (body) => {
        verified.push(String(body.UserCode));
        return body.UserCode === "222222" ? { body: { Status: "SUCCESS", Session: "setup-4" } } : failure("EnableSoftwareTokenMFAException", "Code mismatch");
      },
      RespondToAuthChallenge: () => ({ body: result(4) }),
    });

    const step = await challenged("mfa-setup");
    expect(step.secret).toBe(SECRET);
    expect(step.uri).toBe(`otpauth://totp/drorch:ada?secret=${SECRET}&issuer=drorch`);
    expect(isCodeMismatch(await step.complete("999999").catch((e: unknown) => e))).toBe(true);
    expect(isChallenge(await step.complete("222222"))).toBe(false);

    const bodies = cognitoCalls(fake.calls).map((c) => [c.headers["X-Amz-Target"]!.slice(TARGET.length), c.body]);
    expect(bodies.slice(1)).toEqual([
      ["AssociateSoftwareToken", { Session: "setup-1" }],
      ["VerifySoftwareToken", { Session: "setup-2", UserCode: "999999", FriendlyDeviceName: "drorch" }],
      ["VerifySoftwareToken", { Session: "setup-2", UserCode: "222222", FriendlyDeviceName: "drorch" }],
      ["RespondToAuthChallenge", answerTo("MFA_SETUP", "setup-4", { USERNAME: "ada" })],
    ]);
    expect(verified).toEqual(["999999", "222222"]);
    expect(accessToken()).toBe("id-4");
  });

  it("refuses a verification Cognito answers with Status ERROR", async () => {
    fakeCognito({
      InitiateAuth: () => ({ body: { ChallengeName: "MFA_SETUP", Session: "setup-1" } }),
      AssociateSoftwareToken: () => ({ body: { SecretCode: SECRET, Session: "setup-2" } }),
      VerifySoftwareToken: () => ({ body: { Status: "ERROR", Session: "setup-3" } }),
    });
    const step = await challenged("mfa-setup");
    expect(isCodeMismatch(await step.complete("123456").catch((e: unknown) => e))).toBe(true);
    expect(accessToken()).toBeUndefined();
  });

  it("chains a new password into the MFA code challenge", async () => {
    const fake = fakeCognito({
      InitiateAuth: () => ({ body: { ChallengeName: "NEW_PASSWORD_REQUIRED", Session: "s-1", ChallengeParameters: { USERNAME: "ada" } } }),
      RespondToAuthChallenge: (body) => (body.ChallengeName === "NEW_PASSWORD_REQUIRED" ? { body: { ...MFA_CHALLENGE, Session: "mfa-2" } } : totp("123456")(body, fake.calls.at(-1)!)),
    });
    const first = await challenged("new-password", "Temporary-1234");
    const second = challengeOf(await first.complete("Chosen-pass-5678"), "mfa-code");
    expect(accessToken()).toBeUndefined();
    await second.complete("123456");

    const answers = cognitoCalls(fake.calls).slice(1).map((c) => c.body as { ChallengeName: string; Session: string });
    expect(answers.map((a) => [a.ChallengeName, a.Session])).toEqual([["NEW_PASSWORD_REQUIRED", "s-1"], ["SOFTWARE_TOKEN_MFA", "mfa-2"]]);
    expect(accessToken()).toBe("id-3");
  });

  it("names an unhandled challenge plainly", async () => {
    fakeCognito({ InitiateAuth: () => ({ body: { ChallengeName: "SMS_MFA", Session: "s-1" } }) });
    const error = (await signIn("ada", "Secret-pass-1234").catch((e: unknown) => e)) as ApiError;
    expect(error.problem.detail).toMatch(/^Cognito asks for SMS_MFA; this console answers/);
  });
});
