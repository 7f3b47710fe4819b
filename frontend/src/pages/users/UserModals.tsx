/** Create a user, change a role, reset a password: one modal each, refusals shown in place. */
import { useState, type ReactNode } from "react";
import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import FormField from "@cloudscape-design/components/form-field";
import Input from "@cloudscape-design/components/input";
import Modal from "@cloudscape-design/components/modal";
import Select from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { api } from "../../api/client";
import { ROLES, type Role, type User, type UserUpdate } from "../../api/identity";
import { asApiError, type ApiError } from "../../api/problem";
import { errorText } from "../../components/fieldErrors";
import { roleLabel } from "../../layout/TopBar";
import { PasswordField } from "./PasswordField";
import { passwordProblem } from "./passwordPolicy";

const ROLE_OPTIONS = ROLES.map((value) => ({ value, label: roleLabel(value) }));

function RoleSelect({ value, onChange }: { value: Role; onChange: (role: Role) => void }) {
  return (
    <FormField label="Role">
      <Select selectedOption={ROLE_OPTIONS.find((o) => o.value === value) ?? null} options={ROLE_OPTIONS}
        ariaLabel="Role" onChange={({ detail }) => onChange(detail.selectedOption.value as Role)} />
    </FormField>
  );
}

interface FrameProps {
  header: string;
  submit: string;
  ready: boolean;
  run: () => Promise<unknown>;
  onClose: () => void;
  onDone: () => void;
  error: ApiError | undefined;
  setError: (error: ApiError | undefined) => void;
  children: ReactNode;
}

/** The modal around each form: submit, busy state, and the server's refusal. */
function UserModal({ header, submit, ready, run, onClose, onDone, error, setError, children }: FrameProps) {
  const [busy, setBusy] = useState(false);
  const go = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await run();
      onDone();
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal visible header={header} onDismiss={onClose}
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={onClose}>Cancel</Button>
            <Button variant="primary" loading={busy} disabled={!ready} onClick={() => void go()}>{submit}</Button>
          </SpaceBetween>
        </Box>
      }>
      <SpaceBetween size="m">
        {error && <Alert type="error" header={error.problem.title}>{error.problem.detail}</Alert>}
        {children}
      </SpaceBetween>
    </Modal>
  );
}

interface ModalProps {
  onClose: () => void;
  onDone: () => void;
}

export function CreateUserModal({ onClose, onDone }: ModalProps) {
  const [form, setForm] = useState({ username: "", display_name: "", email: "", role: "viewer" as Role, password: "" });
  const [error, setError] = useState<ApiError | undefined>();
  const set = (patch: Partial<typeof form>) => setForm({ ...form, ...patch });
  const ready = form.username.trim() !== "" && passwordProblem(form.password, form.username) === undefined;
  const run = () => api.createUser({ ...form, display_name: form.display_name || form.username, email: form.email || null });
  return (
    <UserModal header="Create user" submit="Create user" ready={ready} run={run} onClose={onClose} onDone={onDone} error={error} setError={setError}>
      <FormField label="Username" errorText={errorText(error, "username")}>
        <Input value={form.username} autoComplete="off" onChange={({ detail }) => set({ username: detail.value })} />
      </FormField>
      <FormField label="Display name" description="Shown in the timeline; the username when empty.">
        <Input value={form.display_name} onChange={({ detail }) => set({ display_name: detail.value })} />
      </FormField>
      <FormField label="Email" constraintText="Optional." errorText={errorText(error, "email")}>
        <Input value={form.email} type="email" onChange={({ detail }) => set({ email: detail.value })} />
      </FormField>
      <RoleSelect value={form.role} onChange={(role) => set({ role })} />
      <PasswordField value={form.password} username={form.username} onChange={(password) => set({ password })} serverError={errorText(error, "password")} />
    </UserModal>
  );
}

/** The one change, with the version it was made on, so a concurrent edit is refused. */
export function updateOf(user: User, patch: { role?: Role; enabled?: boolean }): UserUpdate {
  return { ...patch, version: user.version };
}

export function RoleModal({ user, onClose, onDone }: ModalProps & { user: User }) {
  const [role, setRole] = useState<Role>(user.role);
  const [error, setError] = useState<ApiError | undefined>();
  return (
    <UserModal header={`Change the role of ${user.username}`} submit="Change role" ready={role !== user.role}
      run={() => api.updateUser(user.id, updateOf(user, { role }))} onClose={onClose} onDone={onDone} error={error} setError={setError}>
      <Box>The new role applies to {user.username}'s next request.</Box>
      <RoleSelect value={role} onChange={setRole} />
    </UserModal>
  );
}

export function PasswordModal({ user, onClose, onDone }: ModalProps & { user: User }) {
  const [password, setPassword] = useState("");
  const [error, setError] = useState<ApiError | undefined>();
  return (
    <UserModal header={`Reset the password of ${user.username}`} submit="Reset password" ready={passwordProblem(password, user.username) === undefined}
      run={() => api.resetPassword(user.id, password)} onClose={onClose} onDone={onDone} error={error} setError={setError}>
      <PasswordField value={password} username={user.username} onChange={setPassword} serverError={errorText(error, "password")} />
    </UserModal>
  );
}
