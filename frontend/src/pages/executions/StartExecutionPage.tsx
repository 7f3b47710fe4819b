/** Start a plan as a drill or a recovery, after preflight; a recovery needs the plan name typed. */
import { useState } from "react";
import { useNavigate, useParams } from "react-router-dom";
import Alert from "@cloudscape-design/components/alert";
import Button from "@cloudscape-design/components/button";
import Checkbox from "@cloudscape-design/components/checkbox";
import Container from "@cloudscape-design/components/container";
import ContentLayout from "@cloudscape-design/components/content-layout";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import Multiselect from "@cloudscape-design/components/multiselect";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Spinner from "@cloudscape-design/components/spinner";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Tiles from "@cloudscape-design/components/tiles";
import { api } from "../../api/client";
import type { ExecutionType } from "../../api/executions";
import { asApiError, type ApiError } from "../../api/problem";
import { useResource } from "../../api/useResource";
import { ProblemAlert } from "../../components/ProblemAlert";
import { useFlash } from "../../layout/flash";
import { Shell } from "../../layout/Shell";
import { useAccess } from "../../session/access";
import { GuardedButton } from "../../session/GuardedButton";
import { CleanupAfterField } from "../plans/CleanupAfterField";
import type { CleanupAfter } from "../plans/cleanupAfter";
import { describeConflict, startBody, usePreflight, type PreflightCheck } from "./usePreflight";

function Checks({ checks, loading }: { checks: PreflightCheck[]; loading: boolean }) {
  if (loading) return <StatusIndicator type="loading">Running preflight checks</StatusIndicator>;
  return (
    <SpaceBetween size="xs">
      {checks.map((c) => (
        <StatusIndicator key={c.id} type={c.severity}>{c.text}</StatusIndicator>
      ))}
    </SpaceBetween>
  );
}

export function StartExecutionPage() {
  const { planId = "" } = useParams();
  const navigate = useNavigate();
  const flash = useFlash();
  const plan = useResource((signal) => api.getPlan(planId, signal), [planId]);
  const [type, setType] = useState<ExecutionType>("DRILL");
  const [waves, setWaves] = useState<string[]>([]);
  const [typed, setTyped] = useState("");
  const [allowUnhealthy, setAllowUnhealthy] = useState(false);
  const [cleanupAfter, setCleanupAfter] = useState<CleanupAfter | undefined>();
  const body = startBody(planId, type, waves, allowUnhealthy, cleanupAfter);
  const preflight = usePreflight(body);
  const [busy, setBusy] = useState(false);
  const [refused, setRefused] = useState<ApiError | undefined>();

  const name = plan.data?.name ?? "";
  const blocked = preflight.blocked;
  const confirmed = type === "DRILL" || typed === name;
  const startPermission = type === "DRILL" ? "drills:start" : "recoveries:start";
  const startDenied = useAccess().denied(startPermission);
  const start = async () => {
    setBusy(true);
    setRefused(undefined);
    try {
      const execution = await api.startExecution(body);
      flash.notify("success", `${type === "DRILL" ? "Drill" : "Recovery"} of ${name} started`, execution.id);
      navigate(`/executions/${execution.id}`);
    } catch (e) {
      setRefused(asApiError(e));
      preflight.reload(); // what changed since the last preflight shows in the checklist too
    } finally {
      setBusy(false);
    }
  };

  const crumbs = [{ text: "Recovery plans", href: "/plans" }, { text: name || planId, href: `/plans/${planId}/edit` }, { text: "Start", href: "#" }];
  if (plan.error) return <Shell breadcrumbs={crumbs}><ProblemAlert error={plan.error} onRetry={plan.reload} /></Shell>;
  if (!plan.data) return <Shell breadcrumbs={crumbs}><Spinner size="large" /></Shell>;
  return (
    <Shell breadcrumbs={crumbs}>
      <ContentLayout header={<Header variant="h1" description="Preflight checks run before anything is launched.">Start execution of {name}</Header>}>
        <SpaceBetween size="l">
          <Container header={<Header variant="h2">Type</Header>}>
            <Tiles value={type} onChange={({ detail }) => setType(detail.value as ExecutionType)} ariaLabel="Execution type"
              items={[
                { value: "DRILL", label: "Drill", description: "Test recovery; its instances are terminated afterwards." },
                { value: "RECOVERY", label: "Recovery", description: "Real recovery: launches production instances in AWS." },
              ]} />
          </Container>
          <Container header={<Header variant="h2">Waves</Header>}>
            <FormField label="Run only some waves" description="Leave empty to run the whole plan.">
              <Multiselect selectedOptions={waves.map((w) => ({ value: w, label: w }))}
                options={plan.data.waves.map((w) => ({ value: w.name, label: w.name }))}
                placeholder="All waves" ariaLabel="Waves to run"
                onChange={({ detail }) => setWaves(detail.selectedOptions.map((o) => o.value ?? ""))} />
            </FormField>
          </Container>
          {type === "DRILL" && (
            <Container header={<Header variant="h2">Cleanup</Header>}>
              <CleanupAfterField value={cleanupAfter} onChange={setCleanupAfter} planValue={plan.data.cleanup_after_minutes ?? 0} />
            </Container>
          )}
          <Container header={<Header variant="h2" description="The server runs every check of this start as chosen above; nothing is started." actions={<Button iconName="refresh" ariaLabel="Run preflight again" onClick={preflight.reload} />}>Preflight</Header>}>
            {preflight.error ? <ProblemAlert error={preflight.error} onRetry={preflight.reload} /> : <Checks checks={preflight.checks ?? []} loading={preflight.loading} />}
          </Container>
          {refused && (
            <Alert type="error" header={refused.status === 409 ? "Preflight refused the start" : refused.problem.title}>
              <div>{refused.problem.detail}</div>
              <ul>{refused.problem.conflicts.map((c, i) => <li key={i}>{describeConflict(c)}</li>)}</ul>
              {refused.problem.errors.length > 0 && <ul>{refused.problem.errors.map((e, i) => <li key={`e${i}`}>{e.path}: {e.message}</li>)}</ul>}
            </Alert>
          )}
          <Container header={<Header variant="h2">Confirm</Header>}>
            <SpaceBetween size="m">
              <Checkbox checked={allowUnhealthy} onChange={({ detail }) => setAllowUnhealthy(detail.checked)}
                description="Servers whose replication is not continuous may recover from older data.">
                Start even if some servers' replication is unhealthy
              </Checkbox>
              {type === "RECOVERY" && (
                <FormField label={`Type the plan name (${name}) to confirm a recovery`}>
                  <Input value={typed} onChange={({ detail }) => setTyped(detail.value)} ariaLabel="Plan name to confirm" />
                </FormField>
              )}
              <GuardedButton permission={startPermission} variant="primary" loading={busy} disabled={!confirmed || blocked || preflight.loading} onClick={() => void start()}>
                {type === "DRILL" ? "Start drill" : "Start recovery"}
              </GuardedButton>
              {startDenied && <StatusIndicator type="stopped" data-testid="start-denied">{startDenied}</StatusIndicator>}
            </SpaceBetween>
          </Container>
        </SpaceBetween>
      </ContentLayout>
    </Shell>
  );
}
