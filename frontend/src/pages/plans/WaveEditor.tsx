/** The waves of a plan: add, remove, reorder, pick groups, depends_on, pause_before. */
import Button from "@cloudscape-design/components/button";
import SpaceBetween from "@cloudscape-design/components/space-between";
import type { ActionType } from "../../api/actions";
import type { PlanProblem, ProtectionGroup } from "../../api/types";
import { WaveCard } from "./WaveCard";
import { moveWave, newWave, problemsForWave, removeWave, renameWave, type WaveRow } from "./planDraft";

export interface WaveEditorProps {
  waves: WaveRow[];
  groups: ProtectionGroup[];
  errors: PlanProblem[];
  warnings: PlanProblem[];
  onChange: (waves: WaveRow[]) => void;
  /** The action types for the per-type action forms (none: free-text type). */
  actionTypes?: ActionType[];
}

export function WaveEditor({ waves, groups, errors, warnings, onChange, actionTypes = [] }: WaveEditorProps) {
  const groupOptions = groups.map((g) => ({ value: g.id, label: g.name, description: `${g.account_id} / ${g.region}` }));
  const patch = (index: number, change: Partial<WaveRow>) =>
    onChange(waves.map((w, i) => (i === index ? { ...w, ...change } : w)));
  return (
    <SpaceBetween size="m">
      {waves.map((wave, index) => (
        <WaveCard
          key={wave.key}
          wave={wave}
          index={index}
          count={waves.length}
          previousName={waves[index - 1]?.name}
          otherNames={waves.filter((_, i) => i !== index).map((w) => w.name)}
          groupOptions={groupOptions}
          errors={problemsForWave(errors, index)}
          warnings={problemsForWave(warnings, index)}
          onChange={(change) => patch(index, change)}
          onRename={(name) => onChange(renameWave(waves, index, name))}
          onMove={(delta) => onChange(moveWave(waves, index, delta))}
          onRemove={() => onChange(removeWave(waves, index))}
          actionTypes={actionTypes}
        />
      ))}
      <Button iconName="add-plus" onClick={() => onChange([...waves, newWave(waves)])}>
        Add wave
      </Button>
    </SpaceBetween>
  );
}
