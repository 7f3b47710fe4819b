/** A wave card's action steps: status, type, phase and what each came to. */
import Box from "@cloudscape-design/components/box";
import SpaceBetween from "@cloudscape-design/components/space-between";
import type { StepRun } from "../../api/actions";
import { Status } from "../../components/Status";

/** One line about a step's outcome: its error, who decided it, its undo. */
export function stepNote(step: StepRun): string {
  const parts: string[] = [];
  if (step.awaiting_approval) parts.push("awaits approval");
  if (step.error) parts.push(`${step.error_code ?? "Error"}: ${step.error}`);
  else if (step.decided_by) parts.push(`approved by ${step.decided_by}`);
  if (step.comment) parts.push(`“${step.comment}”`);
  if (step.undo) parts.push(`undo ${step.undo.status}${step.undo.error ? `: ${step.undo.error}` : ""}`);
  if (step.in_drill !== "run") parts.push(`drill: ${step.in_drill}`);
  return parts.join(" · ");
}

export function StepList({ wave, steps }: { wave: string; steps: StepRun[] }) {
  if (!steps.length) return null;
  return (
    <SpaceBetween size="xxs">
      <Box fontSize="body-s" fontWeight="bold">Steps</Box>
      {steps.map((step) => (
        <div key={step.name} data-testid={`step-${wave}-${step.name}`}>
          <SpaceBetween direction="horizontal" size="xs">
            <Status value={step.status} />
            <Box fontSize="body-s">{step.name}</Box>
            <Box fontSize="body-s" color="text-body-secondary">{step.type} · {step.phase}</Box>
          </SpaceBetween>
          {stepNote(step) && <Box fontSize="body-s" color={step.error ? "text-status-error" : "text-body-secondary"}>{stepNote(step)}</Box>}
        </div>
      ))}
    </SpaceBetween>
  );
}
