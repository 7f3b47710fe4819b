/** The execution page's report menu: the HTML or the PDF report, downloaded with the session. */
import { useState } from "react";
import ButtonDropdown from "@cloudscape-design/components/button-dropdown";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import { ApiError } from "../../api/problem";
import { downloadReport, type ReportFormat } from "./reportDownload";

export function ReportButton({ executionId }: { executionId: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const fetchReport = async (format: ReportFormat) => {
    setBusy(true);
    setError(undefined);
    try {
      await downloadReport(executionId, format);
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <ButtonDropdown
        loading={busy}
        items={[
          { id: "html", text: "HTML report (printable)" },
          { id: "pdf", text: "PDF report" },
        ]}
        onItemClick={({ detail }) => void fetchReport(detail.id as ReportFormat)}
      >
        Report
      </ButtonDropdown>
      {error ? <StatusIndicator type="error">{error}</StatusIndicator> : null}
    </>
  );
}
