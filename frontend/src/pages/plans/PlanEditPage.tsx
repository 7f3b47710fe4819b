/** Create a recovery plan or edit one. */
import { useNavigate, useParams } from "react-router-dom";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Spinner from "@cloudscape-design/components/spinner";
import { api } from "../../api/client";
import { useResource } from "../../api/useResource";
import type { RecoveryPlanSaved } from "../../api/readiness";
import type { RecoveryPlanDraft } from "../../api/types";
import { ProblemAlert } from "../../components/ProblemAlert";
import { useFlash } from "../../layout/flash";
import { Shell } from "../../layout/Shell";
import { PlanForm } from "./PlanForm";
import { ReadinessPanel } from "./ReadinessPanel";
import { emptyPlan, fromPlan } from "./planDraft";

export function PlanEditPage() {
  const { planId } = useParams();
  const navigate = useNavigate();
  const flash = useFlash();
  const plan = useResource((signal) => (planId ? api.getPlan(planId, signal) : Promise.resolve(undefined)), [planId]);
  const groups = useResource((signal) => api.listGroups({ limit: 500 }, signal), []);

  const save = async (draft: RecoveryPlanDraft) => {
    const saved = plan.data ? await api.updatePlan(plan.data.id, plan.data.version, draft) : await api.createPlan(draft);
    const advice = (saved as RecoveryPlanSaved).readiness?.findings.length ?? 0;
    const note = advice ? ` Readiness: ${advice} warning(s), see the plan's Readiness panel.` : "";
    flash.notify("success", `Recovery plan ${saved.name} saved`, `${saved.waves.length} wave(s).${note}`);
    navigate("/plans");
  };

  const error = plan.error ?? groups.error;
  let body;
  if (error) body = <ProblemAlert error={error} onRetry={() => { plan.reload(); groups.reload(); }} />;
  else if ((plan.loading && planId) || groups.loading) body = <Spinner size="large" />;
  else
    body = (
      <PlanForm
        key={plan.data?.id ?? "new"}
        initial={plan.data ? fromPlan(plan.data) : emptyPlan()}
        groups={groups.data?.items ?? []}
        submitLabel={planId ? "Save changes" : "Create plan"}
        onSubmit={save}
        onCancel={() => navigate("/plans")}
      />
    );
  return (
    <Shell breadcrumbs={[{ text: "Recovery plans", href: "/plans" }, { text: planId ? "Edit" : "Create", href: "#" }]}>
      <ContentLayout header={<Header variant="h1">{planId ? `Edit ${plan.data?.name ?? "recovery plan"}` : "Create recovery plan"}</Header>}>
        <SpaceBetween size="l">
          {body}
          {planId && plan.data && <ReadinessPanel planId={plan.data.id} />}
        </SpaceBetween>
      </ContentLayout>
    </Shell>
  );
}
