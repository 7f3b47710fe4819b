/** Dashboard: active executions, plans not ready, plans and their last drill, replication health, alerts. */
import { useEffect } from "react";
import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import PieChart from "@cloudscape-design/components/pie-chart";
import ProgressBar from "@cloudscape-design/components/progress-bar";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { api } from "../../api/client";
import { useResource } from "../../api/useResource";
import { Empty } from "../../components/Empty";
import { ProblemAlert } from "../../components/ProblemAlert";
import { RouterLink } from "../../components/RouterLink";
import { Status } from "../../components/Status";
import { formatTime } from "../../components/format";
import { Shell } from "../../layout/Shell";
import { useLastDrills } from "../plans/useLastDrills";
import { executionProgress } from "../executions/progress";
import { NotReadyPlans } from "./NotReadyPlans";
import { useExecutionsOverview, useReplicationCounts } from "./useDashboardData";

const UNHEALTHY = ["STALLED", "DISCONNECTED", "PAUSED", "STOPPED"];

function ActiveExecutions() {
  const overview = useExecutionsOverview();
  const active = overview.data?.active ?? [];
  const { reload } = overview;
  // Keep progress moving while something runs.
  useEffect(() => {
    if (!active.length) return;
    const timer = setInterval(reload, 5000);
    return () => clearInterval(timer);
  }, [active.length, reload]);
  return (
    <Container header={<Header variant="h2" counter={`(${active.length})`}>Active executions</Header>}>
      {overview.error ? <ProblemAlert error={overview.error} onRetry={overview.reload} /> : overview.loading && !overview.data ? <Box>Loading…</Box> : active.length === 0 ? (
        <Empty title="No active execution">{overview.data?.available === false ? "The executions API is not available." : "Start a drill from a recovery plan."}</Empty>
      ) : (
        <SpaceBetween size="m">
          {active.map((e) => (
            <ProgressBar key={e.id} value={executionProgress(e)}
              label={<RouterLink href={`/executions/${e.id}`}>{`${e.type} of ${e.plan_name ?? e.plan_id}`}</RouterLink>}
              description={e.status} />
          ))}
        </SpaceBetween>
      )}
    </Container>
  );
}

function ReplicationChart() {
  const counts = useReplicationCounts();
  const data = Object.entries(counts.data ?? {}).map(([title, value]) => ({ title, value }));
  return (
    <Container header={<Header variant="h2">Servers by replication state</Header>}>
      {counts.error ? <ProblemAlert error={counts.error} onRetry={counts.reload} /> : (
        <PieChart data={data} statusType={counts.loading ? "loading" : "finished"} variant="donut" size="medium"
          hideFilter ariaLabel="Servers by replication state" innerMetricDescription="servers"
          innerMetricValue={String(data.reduce((n, d) => n + d.value, 0))}
          empty={<Empty title="No servers">Sync the inventory from DRS.</Empty>} loadingText="Counting servers" />
      )}
    </Container>
  );
}

function PlansOverview() {
  const plans = useResource((signal) => api.listPlans({ limit: 100 }, signal), []);
  const drills = useLastDrills();
  return (
    <Table
      variant="container"
      items={plans.data?.items ?? []}
      loading={plans.loading}
      loadingText="Loading plans"
      ariaLabels={{ tableLabel: "Plans and their last drill" }}
      header={<Header variant="h2">Recovery plans</Header>}
      columnDefinitions={[
        { id: "name", header: "Plan", cell: (p) => <RouterLink href={`/plans/${p.id}/edit`}>{p.name}</RouterLink>, isRowHeader: true },
        { id: "waves", header: "Waves", cell: (p) => p.waves.length },
        { id: "result", header: "Last drill", cell: (p) => <Status value={drills.get(p.id)?.status ?? null} /> },
        { id: "date", header: "Drilled", cell: (p) => formatTime(drills.get(p.id)?.created_at) },
      ]}
      empty={plans.error ? <ProblemAlert error={plans.error} /> : <Empty title="No recovery plans" />}
    />
  );
}

function Alerts() {
  const counts = useReplicationCounts();
  const overview = useExecutionsOverview();
  const unhealthy = UNHEALTHY.reduce((n, s) => n + (counts.data?.[s] ?? 0), 0);
  const dirty = (overview.data?.recent ?? []).filter(
    (e) => e.type === "DRILL" && ["COMPLETED", "PARTIAL", "FAILED", "CANCELLED"].includes(e.status) && e.cleanup_status === "INCOMPLETE",
  );
  const notCleaned = (overview.data?.recent ?? []).filter((e) => e.type === "DRILL" && e.cleanup_status === "NOT_STARTED" && ["COMPLETED", "PARTIAL", "FAILED", "CANCELLED"].includes(e.status));
  return (
    <SpaceBetween size="s">
      {unhealthy > 0 && (
        <Alert type="warning" header="Replication needs attention">
          {unhealthy} server(s) are stalled, disconnected, paused or stopped. <RouterLink href="/servers">Review servers</RouterLink>
        </Alert>
      )}
      {dirty.map((e) => (
        <Alert key={e.id} type="error" header="Drill cleanup incomplete">
          Recovery instances of drill <RouterLink href={`/executions/${e.id}`}>{e.id}</RouterLink> were left behind.
        </Alert>
      ))}
      {notCleaned.map((e) => (
        <Alert key={e.id} type="info" header="Drill not cleaned up yet">
          Drill <RouterLink href={`/executions/${e.id}`}>{e.id}</RouterLink> still has its recovery instances.
        </Alert>
      ))}
    </SpaceBetween>
  );
}

export function DashboardPage() {
  return (
    <Shell breadcrumbs={[]}>
      <ContentLayout header={<Header variant="h1" description="Disaster recovery with AWS Elastic Disaster Recovery">Dashboard</Header>}>
        <SpaceBetween size="l">
          <Alerts />
          <ColumnLayout columns={2}>
            <ActiveExecutions />
            <ReplicationChart />
          </ColumnLayout>
          <NotReadyPlans />
          <PlansOverview />
        </SpaceBetween>
      </ContentLayout>
    </Shell>
  );
}
