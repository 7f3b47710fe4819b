/** A new password with the policy shown and checked as it is typed. */
import FormField from "@cloudscape-design/components/form-field";
import Input from "@cloudscape-design/components/input";
import { MIN_PASSWORD_LENGTH, passwordProblem } from "./passwordPolicy";

interface Props {
  value: string;
  username: string;
  onChange: (value: string) => void;
  serverError?: string;
}

export function PasswordField({ value, username, onChange, serverError }: Props) {
  const problem = value ? passwordProblem(value, username) : undefined;
  return (
    <FormField label="Password" description={`At least ${MIN_PASSWORD_LENGTH} characters, not the username.`} errorText={problem ?? serverError}>
      <Input type="password" value={value} autoComplete="new-password" onChange={({ detail }) => onChange(detail.value)} />
    </FormField>
  );
}
