/** Recovery plans: list with the last drill, create, edit, delete, start. */
import { api } from "../../api/client";
import type { RecoveryPlan } from "../../api/types";
import { ResourceListPage } from "../../components/ResourceListPage";
import { RouterLink } from "../../components/RouterLink";
import { GuardedButton } from "../../session/GuardedButton";
import { Status } from "../../components/Status";
import { formatTime } from "../../components/format";
import { useLastDrills } from "./useLastDrills";
import { ReadinessStatus } from "./ReadinessStatus";
import { useReadiness } from "./useReadiness";

export function PlansPage() {
  const lastDrills = useLastDrills();
  const readiness = useReadiness();
  return (
    <ResourceListPage<RecoveryPlan>
      names={{ one: "recovery plan", many: "Recovery plans", short: "plan" }}
      path="/plans"
      load={(signal) => api.listPlans({ limit: 500 }, signal)}
      columns={[
        { id: "waves", header: "Waves", cell: (p) => p.waves.map((w) => w.name).join(" → ") },
        { id: "rto", header: "RTO", cell: (p) => (p.rto_minutes ? `${p.rto_minutes} min` : "-") },
        { id: "readiness", header: "Readiness", cell: (p) => <ReadinessStatus run={readiness.get(p.id)} /> },
        {
          id: "drill",
          header: "Last drill",
          cell: (p) => {
            const drill = lastDrills.get(p.id);
            return drill ? (
              <RouterLink href={`/executions/${drill.id}`}>
                <Status value={drill.status} label={`${drill.status} ${formatTime(drill.created_at)}`} />
              </RouterLink>
            ) : "Never drilled";
          },
        },
      ]}
      itemActions={(plan) => (
        <GuardedButton permission="drills:start" disabled={!plan} to={plan ? `/plans/${plan.id}/start` : "/plans"}>Start execution</GuardedButton>
      )}
      remove={(p) => api.deletePlan(p.id, p.version)}
      deleteNote="Past executions keep their own snapshot of it."
      writePermission="plans:write"
    />
  );
}
