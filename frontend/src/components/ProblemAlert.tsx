/** An API error (problem+json) as a readable alert: the detail, then each field error. */
import Alert from "@cloudscape-design/components/alert";
import Button from "@cloudscape-design/components/button";
import type { ApiError } from "../api/problem";

interface Props {
  error: ApiError;
  header?: string;
  onRetry?: () => void;
}

export function ProblemAlert({ error, header, onRetry }: Props) {
  const { problem } = error;
  return (
    <Alert
      type="error"
      header={header ?? problem.title}
      action={onRetry ? <Button onClick={onRetry}>Retry</Button> : undefined}
    >
      <div>{problem.detail}</div>
      {problem.errors.length > 0 && (
        <ul>
          {problem.errors.map((e, i) => (
            <li key={i}>
              {e.path ? <code>{e.path}</code> : null}
              {e.path ? ": " : null}
              {e.message}
            </li>
          ))}
        </ul>
      )}
    </Alert>
  );
}
