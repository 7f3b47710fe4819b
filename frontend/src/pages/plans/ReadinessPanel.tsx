/** A plan's latest readiness run: verdict, when and why, each failing check, and "Check now". */
import { useState } from "react";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { readinessApi, failingFirst, type ReadinessFinding } from "../../api/readiness";
import { asApiError, type ApiError } from "../../api/problem";
import { useResource } from "../../api/useResource";
import { Empty } from "../../components/Empty";
import { ProblemAlert } from "../../components/ProblemAlert";
import { Status } from "../../components/Status";
import { formatTime } from "../../components/format";
import { GuardedButton } from "../../session/GuardedButton";
import { ReadinessStatus } from "./ReadinessStatus";

const SEVERITY: Record<ReadinessFinding["severity"], string> = { error: "FAILED", warning: "PARTIAL", info: "NOT_APPLICABLE" };

export function ReadinessPanel({ planId }: { planId: string }) {
  const history = useResource((signal) => readinessApi.history(planId, signal), [planId]);
  const [running, setRunning] = useState(false);
  const [failed, setFailed] = useState<ApiError | undefined>(undefined);
  const latest = history.data?.latest ?? undefined;

  const checkNow = async () => {
    setRunning(true);
    setFailed(undefined);
    try {
      await readinessApi.run(planId);
      history.reload();
    } catch (error) {
      setFailed(asApiError(error));
    } finally {
      setRunning(false);
    }
  };

  const findings = latest ? failingFirst(latest.findings) : [];
  return (
    <SpaceBetween size="s">
    {failed && <ProblemAlert error={failed} />}
    <Table
      variant="container"
      items={findings}
      loading={history.loading && !history.data}
      loadingText="Loading readiness"
      ariaLabels={{ tableLabel: "Readiness findings" }}
      header={
        <Header
          variant="h2"
          description={latest ? `Last checked ${formatTime(latest.finished_at)} by ${latest.by} (${latest.trigger}), ${latest.checks.length} checks` : "Not checked yet"}
          actions={<GuardedButton permission="readiness:run" loading={running} onClick={() => void checkNow()}>Check now</GuardedButton>}
        >
          <SpaceBetween direction="horizontal" size="s">
            <span>Readiness</span>
            <ReadinessStatus run={latest} />
          </SpaceBetween>
        </Header>
      }
      columnDefinitions={[
        { id: "severity", header: "Severity", cell: (f) => <Status value={SEVERITY[f.severity]} label={f.severity} /> },
        { id: "check", header: "Check", cell: (f) => f.check },
        { id: "code", header: "Finding", cell: (f) => f.code },
        { id: "subject", header: "Subject", cell: (f) => `${f.subject.kind} ${f.subject.id}` },
        { id: "message", header: "Message", cell: (f) => f.message },
      ]}
      empty={
        history.error ? (
          <ProblemAlert error={history.error} onRetry={history.reload} />
        ) : latest ? (
          <Empty title="Every check passed" />
        ) : (
          <Empty title="Never checked">Run the checks to see whether this plan could run now.</Empty>
        )
      }
    />
    </SpaceBetween>
  );
}
