/** Plans whose latest readiness run failed, each with the checks that failed. */
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import Table from "@cloudscape-design/components/table";
import { readinessApi, type ReadinessRun } from "../../api/readiness";
import { useResource } from "../../api/useResource";
import { Empty } from "../../components/Empty";
import { ProblemAlert } from "../../components/ProblemAlert";
import { RouterLink } from "../../components/RouterLink";
import { formatTime } from "../../components/format";

function failing(run: ReadinessRun): string {
  return run.findings.filter((f) => f.severity === "error").map((f) => f.message).join("; ");
}

export function NotReadyPlans() {
  const overview = useResource((signal) => readinessApi.overview(signal), []);
  const items = (overview.data?.items ?? []).filter((r) => r.status === "NOT_READY");
  if (overview.error)
    return (
      <Container header={<Header variant="h2">Plans not ready</Header>}>
        <ProblemAlert error={overview.error} onRetry={overview.reload} />
      </Container>
    );
  return (
    <Table
      variant="container"
      items={items}
      loading={overview.loading}
      loadingText="Loading readiness"
      ariaLabels={{ tableLabel: "Plans not ready" }}
      header={<Header variant="h2" counter={`(${items.length})`}>Plans not ready</Header>}
      columnDefinitions={[
        { id: "plan", header: "Plan", cell: (r) => <RouterLink href={`/plans/${r.plan_id}/edit`}>{r.plan_name}</RouterLink>, isRowHeader: true },
        { id: "checks", header: "Failing checks", cell: (r) => [...new Set(r.findings.filter((f) => f.severity === "error").map((f) => f.check))].join(", ") },
        { id: "why", header: "Why", cell: failing },
        { id: "at", header: "Checked", cell: (r) => formatTime(r.finished_at) },
      ]}
      empty={<Empty title="Every checked plan is ready" />}
    />
  );
}
