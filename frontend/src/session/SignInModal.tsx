/** Sign in again over the current page after the session ended. */
import Box from "@cloudscape-design/components/box";
import Modal from "@cloudscape-design/components/modal";
import SpaceBetween from "@cloudscape-design/components/space-between";
import type { Me } from "../api/identity";
import { SignInForm } from "./SignInForm";

interface SignInModalProps {
  username: string;
  onSignedIn: (user: Me) => void;
  onDismiss: () => void;
}

export function SignInModal({ username, onSignedIn, onDismiss }: SignInModalProps) {
  return (
    <Modal visible header="Your session has ended" onDismiss={onDismiss} closeAriaLabel="Close without signing in">
      <SpaceBetween size="m">
        <Box>Sign in again to carry on. This page and anything you typed stay as they are.</Box>
        <SignInForm initialUsername={username} onSignedIn={onSignedIn} />
      </SpaceBetween>
    </Modal>
  );
}
