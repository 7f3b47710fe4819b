/** Field errors of a problem+json, looked up by field path. */
import type { ApiError } from "../api/problem";

/** Messages for `path` itself or anything under it (`path.x`, `path[0]`). */
export function errorsAt(error: ApiError | undefined, path: string): string[] {
  if (!error) return [];
  return error.problem.errors
    .filter((e) => e.path === path || e.path.startsWith(`${path}.`) || e.path.startsWith(`${path}[`))
    .map((e) => e.message);
}

export function errorText(error: ApiError | undefined, path: string): string | undefined {
  const messages = errorsAt(error, path);
  return messages.length ? messages.join("; ") : undefined;
}
