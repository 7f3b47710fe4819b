/** Asks before deleting one item, then reports the outcome as a flash message. */
import { useState } from "react";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Modal from "@cloudscape-design/components/modal";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { useFlash } from "../layout/flash";
import { capitalized } from "./format";

export interface ConfirmDeleteModalProps {
  /** What is deleted, in lower case: "protection group". */
  kind: string;
  name: string;
  /** What the deletion does to related things, shown after the question. */
  note: string;
  remove: () => Promise<unknown>;
  onClose: () => void;
  onDeleted: () => void;
}

export function ConfirmDeleteModal({ kind, name, note, remove, onClose, onDeleted }: ConfirmDeleteModalProps) {
  const [busy, setBusy] = useState(false);
  const flash = useFlash();
  const confirm = async () => {
    setBusy(true);
    try {
      await remove();
      flash.notify("success", `${capitalized(kind)} ${name} deleted`);
      onDeleted();
    } catch (error) {
      // The server says why (e.g. a plan still uses the group); the modal has nothing left to ask.
      flash.notifyError(`Could not delete ${name}`, error);
      onClose();
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      visible
      onDismiss={onClose}
      header={`Delete ${kind}`}
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={onClose}>Cancel</Button>
            <Button variant="primary" loading={busy} onClick={() => void confirm()}>Delete</Button>
          </SpaceBetween>
        </Box>
      }
    >
      Delete <b>{name}</b>? {note}
    </Modal>
  );
}
