/** Pair an authenticator app (the pool requires MFA): show the secret, then verify the app's first code. */
import Box from "@cloudscape-design/components/box";
import FormField from "@cloudscape-design/components/form-field";
import Input from "@cloudscape-design/components/input";
import SpaceBetween from "@cloudscape-design/components/space-between";
import type { MfaSetupChallenge, SignInStep } from "../api/session";
import { MfaCodeForm } from "./MfaCodeForm";

interface MfaSetupFormProps {
  challenge: MfaSetupChallenge;
  onStep: (step: SignInStep) => void;
  onExpired: () => void;
}

/** The secret in groups of four, easier to type by hand ("JBSW Y3DP EHPK 3PXP"). */
export function groupSecret(secret: string): string {
  return (secret.match(/.{1,4}/g) ?? []).join(" ");
}

export function MfaSetupForm({ challenge, onStep, onExpired }: MfaSetupFormProps) {
  const intro = (
    <SpaceBetween size="s">
      <Box>
        Sign-in to drorch needs an authenticator app for <strong>{challenge.username}</strong>. Add an account to your app
        with this secret key (time-based), then type the first code it shows.
      </Box>
      <FormField label="Secret key">
        <Input value={groupSecret(challenge.secret)} readOnly ariaLabel="Secret key" />
      </FormField>
      <FormField label="Setup URI" description="For apps that accept an otpauth:// link: copy it whole.">
        <Input value={challenge.uri} readOnly ariaLabel="Setup URI" />
      </FormField>
    </SpaceBetween>
  );
  return <MfaCodeForm challenge={challenge} onStep={onStep} onExpired={onExpired} intro={intro} label="First code from the app" submitText="Verify app and sign in" formName="Set up an authenticator app" />;
}
