/** Username and password, then whatever Cognito asks next (new password, MFA code, MFA setup), one step at a time. */
import { useState, type FormEvent } from "react";
import Alert from "@cloudscape-design/components/alert";
import Button from "@cloudscape-design/components/button";
import FormField from "@cloudscape-design/components/form-field";
import Input from "@cloudscape-design/components/input";
import SpaceBetween from "@cloudscape-design/components/space-between";
import type { Me } from "../api/identity";
import { asApiError } from "../api/problem";
import { isChallenge, signIn, type Challenge, type SignInStep } from "../api/session";
import { MfaCodeForm } from "./MfaCodeForm";
import { MfaSetupForm } from "./MfaSetupForm";
import { NewPasswordForm } from "./NewPasswordForm";
import { signInMessage, type SignInMessage } from "./signInError";

interface SignInFormProps {
  onSignedIn: (user: Me) => void;
  initialUsername?: string;
}

const EXPIRED: SignInMessage = {
  header: "Sign-in expired",
  text: "The sign-in took too long to finish (Cognito allows a few minutes). Enter your password again.",
};

export function SignInForm({ onSignedIn, initialUsername = "" }: SignInFormProps) {
  const [username, setUsername] = useState(initialUsername);
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<SignInMessage | undefined>();
  const [challenge, setChallenge] = useState<Challenge | undefined>();
  // Every step answers the next one: a challenge to show, or the signed-in user.
  const onStep = (step: SignInStep) => {
    if (isChallenge(step)) setChallenge(step);
    else onSignedIn(step);
  };
  const onExpired = () => {
    setChallenge(undefined);
    setPassword("");
    setMessage(EXPIRED);
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setMessage(undefined);
    try {
      onStep(await signIn(username, password));
    } catch (error) {
      setMessage(signInMessage(asApiError(error)));
      setPassword("");
    } finally {
      setBusy(false);
    }
  };
  if (challenge?.kind === "new-password") return <NewPasswordForm challenge={challenge} onStep={onStep} onExpired={onExpired} />;
  if (challenge?.kind === "mfa-code") return <MfaCodeForm challenge={challenge} onStep={onStep} onExpired={onExpired} />;
  if (challenge?.kind === "mfa-setup") return <MfaSetupForm challenge={challenge} onStep={onStep} onExpired={onExpired} />;
  return (
    <form onSubmit={(e) => void submit(e)} aria-label="Sign in">
      <SpaceBetween size="m">
        {message && <Alert type="error" header={message.header}>{message.text}</Alert>}
        <FormField label="Username">
          <Input value={username} onChange={({ detail }) => setUsername(detail.value)} autoComplete="username" autoFocus={!initialUsername} />
        </FormField>
        <FormField label="Password">
          <Input type="password" value={password} onChange={({ detail }) => setPassword(detail.value)} autoComplete="current-password" autoFocus={!!initialUsername} />
        </FormField>
        <Button variant="primary" formAction="submit" loading={busy} disabled={!username || !password}>Sign in</Button>
      </SpaceBetween>
    </form>
  );
}
