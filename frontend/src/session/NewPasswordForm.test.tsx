import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setSessionRenewal } from "../api/http";
import { loadRuntimeConfig, resetRuntimeConfig } from "../api/runtimeConfig";
import { accessToken, clearTokens } from "../api/tokens";
import { userOf } from "../test/access";
import { fakeApi, fill } from "../test/fakeApi";
import { SignInForm } from "./SignInForm";

const ADA = userOf("admin", "ada");
const CONFIG = { cognito: { userPoolId: "us-east-1_Pool1", clientId: "ui-client" } };

afterEach(() => {
  vi.unstubAllGlobals();
  setSessionRenewal(undefined);
  clearTokens();
  resetRuntimeConfig();
});

/** Cognito asks for a new password once, refuses a weak one, then signs in. */
function fakePool() {
  const targets: string[] = [];
  const fake = fakeApi({
    "POST /": (body, _u, call) => {
      const target = call.headers["X-Amz-Target"]!.split(".")[1]!;
      targets.push(target);
      if (target === "InitiateAuth") return { body: { ChallengeName: "NEW_PASSWORD_REQUIRED", Session: "s-1", ChallengeParameters: { USERNAME: "ada" } } };
      const password = (body as { ChallengeResponses: { NEW_PASSWORD: string } }).ChallengeResponses.NEW_PASSWORD;
      if (password.length < 14) return { status: 400, body: { __type: "InvalidPasswordException", message: "Password did not conform with policy: Password not long enough" } };
      return { body: { AuthenticationResult: { IdToken: "id-1", AccessToken: "a-1", RefreshToken: "r-1", ExpiresIn: 3600 } } };
    },
    "GET /api/v1/auth/me": () => ({ body: ADA }),
  });
  return { targets, fake };
}

describe("first sign-in with a temporary password", () => {
  it("asks for the new password twice, shows Cognito's refusal, then signs in", async () => {
    await loadRuntimeConfig((async () => new Response(JSON.stringify(CONFIG), { headers: { "Content-Type": "application/json" } })) as typeof fetch);
    const { targets } = fakePool();
    const signedIn = vi.fn();
    const user = userEvent.setup();
    render(<SignInForm onSignedIn={signedIn} />);

    await fill(user, screen.getByLabelText("Username"), "ada");
    await fill(user, screen.getByLabelText("Password"), "Temporary-1");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText(/Your password is temporary/)).toBeTruthy();

    await fill(user, screen.getByLabelText("New password"), "Chosen-pass-5678");
    await fill(user, screen.getByLabelText("Confirm new password"), "Chosen-pass-5679");
    await user.click(screen.getByRole("button", { name: "Set password and sign in" }));
    expect(await screen.findByText("Type the same new password in both fields.")).toBeTruthy();
    expect(targets).toEqual(["InitiateAuth"]);

    await user.clear(screen.getByLabelText("New password"));
    await user.clear(screen.getByLabelText("Confirm new password"));
    await fill(user, screen.getByLabelText("New password"), "short");
    await fill(user, screen.getByLabelText("Confirm new password"), "short");
    await user.click(screen.getByRole("button", { name: "Set password and sign in" }));
    expect(await screen.findByText(/Password not long enough/)).toBeTruthy();
    expect(signedIn).not.toHaveBeenCalled();

    await user.clear(screen.getByLabelText("New password"));
    await user.clear(screen.getByLabelText("Confirm new password"));
    await fill(user, screen.getByLabelText("New password"), "Chosen-pass-5678");
    await fill(user, screen.getByLabelText("Confirm new password"), "Chosen-pass-5678");
    await user.click(screen.getByRole("button", { name: "Set password and sign in" }));

    await vi.waitFor(() => expect(signedIn).toHaveBeenCalledWith(ADA));
    expect(targets).toEqual(["InitiateAuth", "RespondToAuthChallenge", "RespondToAuthChallenge"]);
    expect(accessToken()).toBe("id-1");
  });
});
