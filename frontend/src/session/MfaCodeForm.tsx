/** The 6-digit code of an authenticator app: a wrong one may be retried, an expired sign-in starts over. */
import { useState, type FormEvent, type ReactNode } from "react";
import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import FormField from "@cloudscape-design/components/form-field";
import Input from "@cloudscape-design/components/input";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { asApiError } from "../api/problem";
import { isCodeMismatch, isSessionExpired, type MfaCodeChallenge, type SignInStep } from "../api/session";
import type { SignInMessage } from "./signInError";

interface MfaCodeFormProps {
  challenge: Pick<MfaCodeChallenge, "complete">;
  onStep: (step: SignInStep) => void;
  onExpired: () => void;
  /** What the form says above the code field. */
  intro?: ReactNode;
  label?: string;
  submitText?: string;
  /** The form's accessible name. */
  formName?: string;
}

/** The code as typed, without the spaces some apps show in the middle. */
export function cleanCode(text: string): string {
  return text.replace(/\s+/g, "");
}

export function MfaCodeForm({ challenge, onStep, onExpired, intro, label = "Authentication code", submitText = "Verify and sign in", formName = "Two-step sign-in" }: MfaCodeFormProps) {
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<SignInMessage | undefined>();
  const ready = /^\d{6}$/.test(cleanCode(code));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!ready) return;
    setBusy(true);
    setMessage(undefined);
    try {
      onStep(await challenge.complete(cleanCode(code)));
    } catch (error) {
      if (isSessionExpired(error)) return onExpired();
      const { problem } = asApiError(error);
      setMessage({ header: problem.title, text: isCodeMismatch(error) ? `${problem.detail} You can try again.` : problem.detail });
      setCode("");
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} aria-label={formName}>
      <SpaceBetween size="m">
        {intro ?? <Box>Open your authenticator app and type the 6-digit code it shows for drorch.</Box>}
        {message && <Alert type="error" header={message.header}>{message.text}</Alert>}
        <FormField label={label} description="6 digits; a new code appears every 30 seconds.">
          <Input value={code} onChange={({ detail }) => setCode(detail.value)} inputMode="numeric" autoComplete="one-time-code" autoFocus />
        </FormField>
        <Button variant="primary" formAction="submit" loading={busy} disabled={!ready}>{submitText}</Button>
      </SpaceBetween>
    </form>
  );
}
