/** Username and password, with what went wrong when the server refuses them. */
import { useState, type FormEvent } from "react";
import Alert from "@cloudscape-design/components/alert";
import Button from "@cloudscape-design/components/button";
import FormField from "@cloudscape-design/components/form-field";
import Input from "@cloudscape-design/components/input";
import SpaceBetween from "@cloudscape-design/components/space-between";
import type { Me } from "../api/identity";
import { asApiError } from "../api/problem";
import { isNewPasswordChallenge, signIn, type NewPasswordChallenge } from "../api/session";
import { NewPasswordForm } from "./NewPasswordForm";
import { signInMessage, type SignInMessage } from "./signInError";

interface SignInFormProps {
  onSignedIn: (user: Me) => void;
  initialUsername?: string;
}

export function SignInForm({ onSignedIn, initialUsername = "" }: SignInFormProps) {
  const [username, setUsername] = useState(initialUsername);
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<SignInMessage | undefined>();
  const [challenge, setChallenge] = useState<NewPasswordChallenge | undefined>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setMessage(undefined);
    try {
      const step = await signIn(username, password);
      if (isNewPasswordChallenge(step)) setChallenge(step);
      else onSignedIn(step);
    } catch (error) {
      setMessage(signInMessage(asApiError(error)));
      setPassword("");
    } finally {
      setBusy(false);
    }
  };
  if (challenge) return <NewPasswordForm challenge={challenge} onSignedIn={onSignedIn} />;
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
