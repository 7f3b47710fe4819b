/** A first sign-in with a temporary password: choose a new one (twice) before going on. */
import { useState, type FormEvent } from "react";
import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import FormField from "@cloudscape-design/components/form-field";
import Input from "@cloudscape-design/components/input";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { asApiError } from "../api/problem";
import { isSessionExpired, type NewPasswordChallenge, type SignInStep } from "../api/session";
import type { SignInMessage } from "./signInError";

interface NewPasswordFormProps {
  challenge: NewPasswordChallenge;
  /** The next step: the signed-in user or another challenge (MFA). */
  onStep: (step: SignInStep) => void;
  /** The challenge's session ran out: back to the password. */
  onExpired: () => void;
}

const MISMATCH: SignInMessage = { header: "Passwords differ", text: "Type the same new password in both fields." };

export function NewPasswordForm({ challenge, onStep, onExpired }: NewPasswordFormProps) {
  const [password, setPassword] = useState("");
  const [again, setAgain] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<SignInMessage | undefined>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (password !== again) {
      setMessage(MISMATCH);
      return;
    }
    setBusy(true);
    setMessage(undefined);
    try {
      onStep(await challenge.complete(password));
    } catch (error) {
      if (isSessionExpired(error)) return onExpired();
      const { problem } = asApiError(error);
      setMessage({ header: problem.title, text: problem.detail });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} aria-label="Set a new password">
      <SpaceBetween size="m">
        <Box>Your password is temporary. Choose a new one for <strong>{challenge.username}</strong>.</Box>
        {message && <Alert type="error" header={message.header}>{message.text}</Alert>}
        <FormField label="New password">
          <Input type="password" value={password} onChange={({ detail }) => setPassword(detail.value)} autoComplete="new-password" autoFocus />
        </FormField>
        <FormField label="Confirm new password">
          <Input type="password" value={again} onChange={({ detail }) => setAgain(detail.value)} autoComplete="new-password" />
        </FormField>
        <Button variant="primary" formAction="submit" loading={busy} disabled={!password || !again}>Set password and sign in</Button>
      </SpaceBetween>
    </form>
  );
}
