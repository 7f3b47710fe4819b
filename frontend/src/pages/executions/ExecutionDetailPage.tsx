/** One execution, live: header with actions, wave cards, timeline, servers, event log. */
import { useState } from "react";
import { useParams } from "react-router-dom";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import KeyValuePairs from "@cloudscape-design/components/key-value-pairs";
import ProgressBar from "@cloudscape-design/components/progress-bar";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Spinner from "@cloudscape-design/components/spinner";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import type { ExecutionAction } from "../../api/client";
import { isActive, type Execution } from "../../api/executions";
import { ProblemAlert } from "../../components/ProblemAlert";
import { RouterLink } from "../../components/RouterLink";
import { Status } from "../../components/Status";
import { formatTime } from "../../components/format";
import { Shell } from "../../layout/Shell";
import { GuardedButton } from "../../session/GuardedButton";
import { ActionModal, actionPermission, allowedActions } from "./ActionModals";
import { ApprovalPanel } from "./ApprovalPanel";
import { EventLog } from "./EventLog";
import { ReportButton } from "./ReportButton";
import { Gantt } from "./Gantt";
import { ServerStatusTable } from "./ServerStatusTable";
import { WaveCards } from "./WaveCards";
import { executionProgress } from "./progress";
import { useExecutionLive } from "./useExecutionLive";

const LABELS: Record<ExecutionAction, string> = {
  pause: "Pause", resume: "Resume", cancel: "Cancel", "terminate-instances": "Terminate instances",
};

function LiveState({ execution, live }: { execution: Execution; live: boolean }) {
  const moving = !execution.finished || isActive(execution.status);
  if (!moving) return <StatusIndicator type="info">Finished: no more updates</StatusIndicator>;
  return <StatusIndicator type={live ? "success" : "pending"}>{live ? "Live updates" : "Polling for updates"}</StatusIndicator>;
}

function Summary({ execution, live }: { execution: Execution; live: boolean }) {
  return (
    <Container>
      <ColumnLayout columns={2}>
        <KeyValuePairs
          columns={3}
          items={[
            { label: "Status", value: <span data-testid="execution-status"><Status value={execution.status} /></span> },
            { label: "Type", value: execution.type },
            { label: "Plan", value: <RouterLink href={`/plans/${execution.plan_id}/edit`}>{execution.plan_name ?? execution.plan_id}</RouterLink> },
            { label: "Cleanup", value: <span data-testid="cleanup-status"><Status value={execution.cleanup_status} /></span> },
            { label: "Started", value: formatTime(execution.started_at ?? execution.created_at) },
            { label: "Ended", value: formatTime(execution.ended_at) },
          ]}
        />
        <SpaceBetween size="s">
          <ProgressBar value={executionProgress(execution)} label="Servers done" />
          {execution.paused_reason ? <StatusIndicator type="stopped">{execution.paused_reason}</StatusIndicator> : null}
          {execution.leftovers?.length ? <StatusIndicator type="warning">Left behind: {execution.leftovers.join(", ")}</StatusIndicator> : null}
          <LiveState execution={execution} live={live} />
        </SpaceBetween>
      </ColumnLayout>
    </Container>
  );
}

export function ExecutionDetailPage() {
  const { executionId = "" } = useParams();
  const live = useExecutionLive(executionId);
  const [action, setAction] = useState<ExecutionAction | undefined>();
  const e = live.execution;
  const crumbs = [{ text: "Executions", href: "/executions" }, { text: executionId, href: `/executions/${executionId}` }];
  if (!e) {
    return (
      <Shell breadcrumbs={crumbs}>
        {live.error ? <ProblemAlert error={live.error} onRetry={live.refresh} /> : <Spinner size="large" />}
      </Shell>
    );
  }
  return (
    <Shell breadcrumbs={crumbs}>
      <ContentLayout
        header={
          <Header
            variant="h1"
            description={`${e.type === "DRILL" ? "Drill" : "Recovery"} of ${e.plan_name ?? e.plan_id}`}
            actions={
              <SpaceBetween direction="horizontal" size="xs">
                <ReportButton executionId={e.id} />
                {allowedActions(e).map((a) => (
                  <GuardedButton key={a} permission={actionPermission(e, a)} onClick={() => setAction(a)}>{LABELS[a]}</GuardedButton>
                ))}
              </SpaceBetween>
            }
          >
            Execution {e.id}
          </Header>
        }
      >
        <SpaceBetween size="l">
          {live.error && <ProblemAlert error={live.error} onRetry={live.refresh} />}
          <Summary execution={e} live={live.live} />
          <ApprovalPanel execution={e} onDone={(updated) => { live.replace(updated); live.refresh(); }} />
          <WaveCards waves={e.waves} />
          <Gantt execution={e} />
          <ServerStatusTable execution={e} changes={live.changes} resyncs={live.resyncs} />
          <EventLog events={live.events} />
        </SpaceBetween>
      </ContentLayout>
      {action && (
        <ActionModal execution={e} action={action} onClose={() => setAction(undefined)}
          onDone={(updated) => { setAction(undefined); live.replace(updated); live.refresh(); }} />
      )}
    </Shell>
  );
}
