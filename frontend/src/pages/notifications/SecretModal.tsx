/** Shows a webhook's signing secret the one time the server returns it. */
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import CopyToClipboard from "@cloudscape-design/components/copy-to-clipboard";
import Modal from "@cloudscape-design/components/modal";
import SpaceBetween from "@cloudscape-design/components/space-between";

export function SecretModal({ name, secret, onClose }: { name: string; secret: string; onClose: () => void }) {
  return (
    <Modal visible header={`Signing secret of ${name}`} onDismiss={onClose}
      footer={<Box float="right"><Button variant="primary" onClick={onClose}>Done</Button></Box>}>
      <SpaceBetween size="m">
        <Box>Give it to the receiver now: drorch will not show it again. Receivers verify the X-Drorch-Signature header with it.</Box>
        <CopyToClipboard variant="inline" textToCopy={secret} copyButtonAriaLabel="Copy signing secret"
          copySuccessText="Signing secret copied" copyErrorText="Signing secret not copied" />
      </SpaceBetween>
    </Modal>
  );
}
