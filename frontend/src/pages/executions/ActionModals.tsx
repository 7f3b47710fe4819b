/** Operator actions with confirmation: pause, resume, cancel, terminate instances. */
import { useState } from "react";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Checkbox from "@cloudscape-design/components/checkbox";
import Modal from "@cloudscape-design/components/modal";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { api, type ExecutionAction } from "../../api/client";
import { isActive, type Execution } from "../../api/executions";
import { useFlash } from "../../layout/flash";
import type { Permission } from "../../session/access";

const TEXT: Record<ExecutionAction, { title: string; button: string; body: string }> = {
  pause: { title: "Pause execution", button: "Pause", body: "No new wave starts until you resume. Running waves go on." },
  resume: { title: "Resume execution", button: "Resume", body: "Waves whose dependencies are complete start now." },
  cancel: { title: "Cancel execution", button: "Cancel execution", body: "No new DRS jobs start; running jobs finish. This cannot be undone." },
  "terminate-instances": {
    title: "Terminate recovery instances",
    button: "Terminate instances",
    body: "Terminates every recovery instance this drill launched. This cannot be undone.",
  },
};

/** The permission an action needs: a recovery's need more than a drill's. */
export function actionPermission(e: Execution, action: ExecutionAction): Permission {
  const recovery = e.type === "RECOVERY";
  if (action === "terminate-instances") return recovery ? "recoveries:terminate" : "drills:terminate";
  return recovery ? "recoveries:operate" : "drills:operate";
}

export function allowedActions(e: Execution): ExecutionAction[] {
  const actions: ExecutionAction[] = [];
  if (e.status === "RUNNING" || e.status === "PENDING") actions.push("pause");
  if (e.status === "PAUSED") actions.push("resume");
  if (isActive(e.status) && e.status !== "CANCELLING") actions.push("cancel");
  if (e.type === "DRILL" && !isActive(e.status) && ["NOT_STARTED", "INCOMPLETE"].includes(e.cleanup_status)) actions.push("terminate-instances");
  return actions;
}

interface ModalProps {
  execution: Execution;
  action: ExecutionAction;
  onClose: () => void;
  onDone: (execution: Execution) => void;
}

export function ActionModal({ execution, action, onClose, onDone }: ModalProps) {
  const [busy, setBusy] = useState(false);
  const [terminate, setTerminate] = useState(false);
  const flash = useFlash();
  const text = TEXT[action];
  const run = async () => {
    setBusy(true);
    try {
      const body = action === "cancel" && terminate ? { terminate_instances: true } : undefined;
      const updated = await api.executionAction(execution.id, action, body);
      flash.notify("success", `${text.button}: request accepted`);
      onDone(updated);
    } catch (error) {
      flash.notifyError(`${text.button} failed`, error);
      onClose();
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal visible onDismiss={onClose} header={text.title}
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={onClose}>Close</Button>
            <Button variant="primary" loading={busy} onClick={() => void run()}>{text.button}</Button>
          </SpaceBetween>
        </Box>
      }>
      <SpaceBetween size="s">
        <Box>{text.body}</Box>
        {action === "cancel" && execution.type === "DRILL" && (
          <Checkbox checked={terminate} onChange={({ detail }) => setTerminate(detail.checked)}>
            Also terminate the recovery instances this drill launched
          </Checkbox>
        )}
      </SpaceBetween>
    </Modal>
  );
}
