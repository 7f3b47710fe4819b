/** Live preview of what a selection picks, re-asked as the operator edits (debounced). */
import { api } from "../../api/client";
import { useDebounced } from "../../api/useDebounced";
import { useResource } from "../../api/useResource";
import type { SelectionPreview } from "../../api/types";
import { canPreview, overrideIsEmpty, toSelection, type GroupFormState } from "./groupDraft";

/** Which servers have overrides: enough for the server to warn of unselected ones. */
function overriddenIds(state: GroupFormState): Record<string, Record<string, never>> {
  // Only the ids matter, so a half-typed value never makes the preview fail.
  const ids = Object.entries(state.overrides).filter(([, row]) => !overrideIsEmpty(row)).map(([id]) => id);
  return Object.fromEntries(ids.sort().map((id) => [id, {}]));
}

export function useSelectionPreview(state: GroupFormState, groupId: string | undefined) {
  const ready = canPreview(state);
  const body = ready
    ? {
        account_id: state.account_id.trim(),
        region: state.region.trim(),
        selection: toSelection(state),
        group_id: groupId,
        server_overrides: overriddenIds(state),
      }
    : null;
  const key = useDebounced(JSON.stringify(body), 300);
  const preview = useResource<SelectionPreview | null>(
    (signal) => (key === "null" ? Promise.resolve(null) : api.previewSelection(JSON.parse(key), signal)),
    [key],
  );
  return { ...preview, ready };
}
