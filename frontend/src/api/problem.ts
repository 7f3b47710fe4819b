/** Errors from the API, read from application/problem+json (RFC 9457). */

export interface FieldError {
  path: string;
  message: string;
}

export interface Problem {
  status: number;
  title: string;
  detail: string;
  errors: FieldError[];
  conflicts: unknown[];
  /** Seconds until a refused request may be tried again (429 Retry-After). */
  retryAfter?: number;
}

/** An API call that failed; `problem` holds what the server said, in readable form. */
export class ApiError extends Error {
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail || problem.title);
    this.name = "ApiError";
    this.problem = problem;
  }

  get status(): number {
    return this.problem.status;
  }
}

function asString(value: unknown, fallback: string): string {
  return typeof value === "string" && value.length > 0 ? value : fallback;
}

function asFieldErrors(value: unknown): FieldError[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((e): e is Record<string, unknown> => typeof e === "object" && e !== null)
    .map((e) => ({ path: asString(e.path, ""), message: asString(e.message, "invalid") }));
}

/** Turn any response body into a Problem, whatever its shape. */
export function toProblem(status: number, statusText: string, body: unknown): Problem {
  const record = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  const title = asString(record.title, statusText || `HTTP ${status}`);
  return {
    status,
    title,
    detail: asString(record.detail, typeof body === "string" && body ? body : title),
    errors: asFieldErrors(record.errors),
    conflicts: Array.isArray(record.conflicts) ? record.conflicts : [],
  };
}

/** A Problem for errors that never reached the server (network down, aborted). */
export function networkProblem(error: unknown): Problem {
  const message = error instanceof Error ? error.message : String(error);
  return {
    status: 0,
    title: "Network error",
    detail: `The drorch API could not be reached: ${message}`,
    errors: [],
    conflicts: [],
  };
}

/** Any thrown value as an ApiError, so pages render one kind of error. */
export function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(networkProblem(error));
}
