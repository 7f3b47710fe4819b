/** Inline validation of a draft plan through POST /recovery-plans/validate (debounced). */
import { api } from "../../api/client";
import { ApiError } from "../../api/problem";
import { useDebounced } from "../../api/useDebounced";
import { useResource } from "../../api/useResource";
import type { PlanProblem, PlanValidation } from "../../api/types";
import { toDraft, type PlanFormState } from "./planDraft";

export interface ValidationView {
  errors: PlanProblem[];
  warnings: PlanProblem[];
  checking: boolean;
  valid: boolean;
}

/** A 422 on the draft itself (say an empty wave name) reads like validation errors. */
function fromProblem(error: ApiError): PlanValidation {
  const errors = error.problem.errors.length
    ? error.problem.errors
    : [{ path: "", message: error.problem.detail }];
  return { valid: false, errors, warnings: [] };
}

export function usePlanValidation(state: PlanFormState): ValidationView {
  // Validate with a placeholder name so wave errors show before the plan is named.
  const draft = { ...toDraft(state), name: state.name.trim() || "unnamed draft" };
  const key = useDebounced(JSON.stringify(draft), 350);
  const result = useResource<PlanValidation>(
    (signal) =>
      api.validateDraft(JSON.parse(key), signal).catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 422) return fromProblem(e);
        throw e;
      }),
    [key],
  );
  const data = result.data;
  return {
    errors: data?.errors ?? (result.error ? [{ path: "", message: result.error.problem.detail }] : []),
    warnings: data?.warnings ?? [],
    checking: result.loading,
    valid: data?.valid ?? false,
  };
}
