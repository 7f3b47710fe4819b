/** Fetching an execution's report with the session's token and saving it as a file. */
import { download } from "../../api/http";

export type ReportFormat = "html" | "pdf";

export function reportPath(executionId: string): string {
  return `/api/v1/executions/${encodeURIComponent(executionId)}/report`;
}

export function reportFileName(executionId: string, format: ReportFormat): string {
  return `${executionId}-report.${format}`;
}

/** Hand a Blob to the browser as a download named `name`. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  // The click has handed the data over; the URL is not needed past this task.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * Download the report. A plain link cannot carry the Bearer token the API demands, so the
 * page fetches the file itself and saves what it received.
 */
export async function downloadReport(
  executionId: string,
  format: ReportFormat,
  save: (blob: Blob, name: string) => void = saveBlob,
): Promise<void> {
  const blob = await download(reportPath(executionId), { query: { format } });
  save(blob, reportFileName(executionId, format));
}
