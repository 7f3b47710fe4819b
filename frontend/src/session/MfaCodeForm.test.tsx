import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setSessionRenewal } from "../api/http";
import { loadRuntimeConfig, resetRuntimeConfig } from "../api/runtimeConfig";
import { accessToken, clearTokens } from "../api/tokens";
import { userOf } from "../test/access";
import { fakeApi, fill, type Answer } from "../test/fakeApi";
import { groupSecret } from "./MfaSetupForm";
import { SignInForm } from "./SignInForm";

const ADA = userOf("admin", "ada");
const CONFIG = { cognito: { userPoolId: "us-east-1_Pool1", clientId: "ui-client" } };
const TOKENS = { AuthenticationResult: { IdToken: "id-1", AccessToken: "a-1", RefreshToken: "r-1", ExpiresIn: 3600 } };

beforeEach(async () => {
  await loadRuntimeConfig((async () => new Response(JSON.stringify(CONFIG), { headers: { "Content-Type": "application/json" } })) as typeof fetch);
});

afterEach(() => {
  vi.unstubAllGlobals();
  setSessionRenewal(undefined);
  clearTokens();
  resetRuntimeConfig();
});

/** A pool whose operations answer from `answers` in turn (per X-Amz-Target), recording the targets called. */
function fakePool(answers: Record<string, Answer[]>) {
  const targets: string[] = [];
  fakeApi({
    "POST /": (_body, _u, call) => {
      const target = call.headers["X-Amz-Target"]!.split(".")[1]!;
      targets.push(target);
      return answers[target]!.shift()!;
    },
    "GET /api/v1/auth/me": () => ({ body: ADA }),
  });
  return targets;
}

const MFA = { body: { ChallengeName: "SOFTWARE_TOKEN_MFA", Session: "mfa-1", ChallengeParameters: { USERNAME: "ada" } } };

async function signInAsAda(user: ReturnType<typeof userEvent.setup>) {
  await fill(user, screen.getByLabelText("Username"), "ada");
  await fill(user, screen.getByLabelText("Password"), "Secret-pass-1234");
  await user.click(screen.getByRole("button", { name: "Sign in" }));
}

describe("the MFA code form", () => {
  it("takes 6 digits only, shows a wrong code, then signs in with the right one", async () => {
    const targets = fakePool({
      InitiateAuth: [MFA],
      RespondToAuthChallenge: [{ status: 400, body: { __type: "CodeMismatchException", message: "Invalid code received for user" } }, { body: TOKENS }],
    });
    const signedIn = vi.fn();
    const user = userEvent.setup();
    render(<SignInForm onSignedIn={signedIn} />);
    await signInAsAda(user);

    const code = await screen.findByLabelText("Authentication code");
    const verify = screen.getByRole("button", { name: "Verify and sign in" });
    await fill(user, code, "12345");
    expect(verify.hasAttribute("disabled")).toBe(true);
    await fill(user, code, "6");
    await user.click(verify);
    expect(await screen.findByText(/not the one your authenticator app shows now.*You can try again\./)).toBeTruthy();
    expect(screen.getByText("Code not accepted")).toBeTruthy();
    expect((screen.getByLabelText("Authentication code") as HTMLInputElement).value).toBe("");

    await fill(user, screen.getByLabelText("Authentication code"), "654 321");
    await user.click(screen.getByRole("button", { name: "Verify and sign in" }));
    await vi.waitFor(() => expect(signedIn).toHaveBeenCalledWith(ADA));
    expect(targets).toEqual(["InitiateAuth", "RespondToAuthChallenge", "RespondToAuthChallenge"]);
    expect(accessToken()).toBe("id-1");
  });

  it("goes back to the password, username kept, when the challenge session has expired", async () => {
    fakePool({
      InitiateAuth: [MFA],
      RespondToAuthChallenge: [{ status: 400, body: { __type: "NotAuthorizedException", message: "Invalid session for the user, session is expired." } }],
    });
    const signedIn = vi.fn();
    const user = userEvent.setup();
    render(<SignInForm onSignedIn={signedIn} />);
    await signInAsAda(user);
    await fill(user, await screen.findByLabelText("Authentication code"), "123456");
    await user.click(screen.getByRole("button", { name: "Verify and sign in" }));

    expect(await screen.findByText("Sign-in expired")).toBeTruthy();
    expect((screen.getByLabelText("Username") as HTMLInputElement).value).toBe("ada");
    expect((screen.getByLabelText("Password") as HTMLInputElement).value).toBe("");
    expect(signedIn).not.toHaveBeenCalled();
  });

  it("shows the secret grouped and the otpauth URI to pair an app, then signs in", async () => {
    const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    const targets = fakePool({
      InitiateAuth: [{ body: { ChallengeName: "MFA_SETUP", Session: "setup-1", ChallengeParameters: { USERNAME: "ada" } } }],
      AssociateSoftwareToken: [{ body: { SecretCode: secret, Session: "setup-2" } }],
      VerifySoftwareToken: [{ body: { Status: "SUCCESS", Session: "setup-3" } }],
      RespondToAuthChallenge: [{ body: TOKENS }],
    });
    const signedIn = vi.fn();
    const user = userEvent.setup();
    render(<SignInForm onSignedIn={signedIn} />);
    await signInAsAda(user);

    const key = (await screen.findByLabelText("Secret key")) as HTMLInputElement;
    expect(key.value).toBe("JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP");
    expect((screen.getByLabelText("Setup URI") as HTMLInputElement).value).toBe(`otpauth://totp/drorch:ada?secret=${secret}&issuer=drorch`);
    await fill(user, screen.getByLabelText("First code from the app"), "123456");
    await user.click(screen.getByRole("button", { name: "Verify app and sign in" }));

    await vi.waitFor(() => expect(signedIn).toHaveBeenCalledWith(ADA));
    expect(targets).toEqual(["InitiateAuth", "AssociateSoftwareToken", "VerifySoftwareToken", "RespondToAuthChallenge"]);
  });

  it("groups a secret by four, the last group shorter", () => {
    expect(groupSecret("ABCDEFGHIJ")).toBe("ABCD EFGH IJ");
    expect(groupSecret("")).toBe("");
  });
});
