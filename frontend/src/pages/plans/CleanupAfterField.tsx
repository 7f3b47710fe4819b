/** The cleanup hold of a drill: after N minutes (0: at once) or keep; optionally "as the plan says". */
import { useState } from "react";
import FormField from "@cloudscape-design/components/form-field";
import Input from "@cloudscape-design/components/input";
import RadioGroup from "@cloudscape-design/components/radio-group";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { describeCleanup, parseMinutes, type CleanupAfter } from "./cleanupAfter";

type Mode = "plan" | "after" | "keep";

export interface CleanupAfterFieldProps {
  /** undefined = the plan's own hold (offered only when `planValue` is given). */
  value: CleanupAfter | undefined;
  onChange: (value: CleanupAfter | undefined) => void;
  /** On a start: the plan's hold, which "as the plan says" keeps. */
  planValue?: CleanupAfter;
  /** A server-side error for the field. */
  errorText?: string;
}

function modeOf(value: CleanupAfter | undefined): Mode {
  if (value === undefined) return "plan";
  return value === "keep" ? "keep" : "after";
}

export function CleanupAfterField({ value, onChange, planValue, errorText }: CleanupAfterFieldProps) {
  const mode = modeOf(value);
  const [text, setText] = useState(typeof value === "number" ? String(value) : "0");
  const parsed = parseMinutes(text);
  const items = [
    ...(planValue !== undefined ? [{ value: "plan", label: `As the plan says (${describeCleanup(planValue)})` }] : []),
    { value: "after", label: "Clean up by itself", description: "Terminate the instances and undo the steps this long after the drill ends." },
    { value: "keep", label: "Keep", description: "Hold everything until an operator starts the cleanup." },
  ];
  const choose = (next: Mode) => {
    if (next === "plan") onChange(undefined);
    else if (next === "keep") onChange("keep");
    else onChange(typeof parsed === "number" ? parsed : 0);
  };
  const type = (next: string) => {
    setText(next);
    const minutes = parseMinutes(next);
    if (typeof minutes === "number") onChange(minutes);
  };
  return (
    <FormField label="Drill cleanup" description="What a drill does with its instances and changes once it ends." errorText={errorText}>
      <SpaceBetween size="xs">
        <RadioGroup value={mode} onChange={({ detail }) => choose(detail.value as Mode)} items={items} ariaLabel="Drill cleanup" />
        {mode === "after" && (
          <FormField label="Minutes after the end" constraintText="0 cleans up at once." errorText={typeof parsed === "string" ? parsed : undefined}>
            <Input type="number" inputMode="numeric" value={text} onChange={({ detail }) => type(detail.value)} ariaLabel="Cleanup after minutes" />
          </FormField>
        )}
      </SpaceBetween>
    </FormField>
  );
}
