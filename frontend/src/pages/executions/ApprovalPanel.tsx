/** Pending approvals of a run: approve or decline each, with a comment. */
import { useState } from "react";
import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Container from "@cloudscape-design/components/container";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Textarea from "@cloudscape-design/components/textarea";
import { actionsApi, approvePermission, pendingApprovals, type Decision, type StepRun } from "../../api/actions";
import type { Execution } from "../../api/executions";
import { useFlash } from "../../layout/flash";
import { GuardedButton } from "../../session/GuardedButton";

function Pending({ execution, wave, step, onDone }: { execution: Execution; wave: string; step: StepRun; onDone: (e: Execution) => void }) {
  const [comment, setComment] = useState("");
  const [busy, setBusy] = useState<Decision | undefined>();
  const flash = useFlash();
  const permission = approvePermission(execution);
  const decide = async (decision: Decision) => {
    setBusy(decision);
    try {
      const updated = await actionsApi.decide(execution.id, step.name, decision, comment.trim());
      flash.notify("success", `${step.name}: ${decision === "approve" ? "approved" : "declined"}`);
      onDone(updated);
    } catch (error) {
      flash.notifyError(`Could not ${decision} ${step.name}`, error);
    } finally {
      setBusy(undefined);
    }
  };
  const prompt = typeof step.params.prompt === "string" ? step.params.prompt : "Approve to go on";
  return (
    <Alert type="warning" header={`${step.name} (wave ${wave}) awaits approval`} data-testid={`approval-${step.name}`}>
      <SpaceBetween size="s">
        <Box>{prompt}</Box>
        {step.deadline && <Box fontSize="body-s">Declined automatically at {new Date(step.deadline).toLocaleString()}.</Box>}
        <FormField label="Comment" description="Lands on the timeline and the audit log.">
          <Textarea rows={2} value={comment} ariaLabel={`Comment on ${step.name}`} onChange={({ detail }) => setComment(detail.value)} />
        </FormField>
        <SpaceBetween direction="horizontal" size="xs">
          <GuardedButton permission={permission} loading={busy === "approve"} variant="primary" onClick={() => void decide("approve")}>Approve</GuardedButton>
          <GuardedButton permission={permission} loading={busy === "decline"} onClick={() => void decide("decline")}>Decline</GuardedButton>
        </SpaceBetween>
      </SpaceBetween>
    </Alert>
  );
}

export function ApprovalPanel({ execution, onDone }: { execution: Execution; onDone: (e: Execution) => void }) {
  const pending = pendingApprovals(execution);
  if (!pending.length) return null;
  return (
    <Container header={<Header variant="h2" counter={`(${pending.length})`}>Approvals</Header>}>
      <SpaceBetween size="s">
        {pending.map(({ wave, step }) => (
          <Pending key={step.name} execution={execution} wave={wave} step={step} onDone={onDone} />
        ))}
      </SpaceBetween>
    </Container>
  );
}
