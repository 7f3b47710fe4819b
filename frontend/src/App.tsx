/** Routes of the console (README "UI" lists them), and redirects from their obvious aliases. */
import { Navigate, Route, Routes, useLocation, useParams } from "react-router-dom";
import { Frame } from "./layout/Shell";
import { AccountsPage } from "./pages/accounts/AccountsPage";
import { AuditPage } from "./pages/audit/AuditPage";
import { DashboardPage } from "./pages/dashboard/DashboardPage";
import { ExecutionDetailPage } from "./pages/executions/ExecutionDetailPage";
import { ExecutionsPage } from "./pages/executions/ExecutionsPage";
import { StartExecutionPage } from "./pages/executions/StartExecutionPage";
import { GroupEditPage } from "./pages/groups/GroupEditPage";
import { GroupsPage } from "./pages/groups/GroupsPage";
import { NotificationsPage } from "./pages/notifications/NotificationsPage";
import { PlanEditPage } from "./pages/plans/PlanEditPage";
import { PlansPage } from "./pages/plans/PlansPage";
import { SchedulesPage } from "./pages/schedules/SchedulesPage";
import { ServersPage } from "./pages/servers/ServersPage";
import { UsersPage } from "./pages/users/UsersPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { ALIASES, aliasTarget } from "./routes";

function Alias({ to }: { to: string }) {
  const { id } = useParams();
  const { search } = useLocation();
  return <Navigate replace to={`${aliasTarget(to, id)}${search}`} />;
}

export function App() {
  return (
    <Frame>
      <Routes>
        <Route path="/" element={<DashboardPage />} />
        <Route path="/servers" element={<ServersPage />} />
        <Route path="/groups" element={<GroupsPage />} />
        <Route path="/groups/new" element={<GroupEditPage />} />
        <Route path="/groups/:groupId/edit" element={<GroupEditPage />} />
        <Route path="/plans" element={<PlansPage />} />
        <Route path="/plans/new" element={<PlanEditPage />} />
        <Route path="/plans/:planId/edit" element={<PlanEditPage />} />
        <Route path="/plans/:planId/start" element={<StartExecutionPage />} />
        <Route path="/executions" element={<ExecutionsPage />} />
        <Route path="/executions/:executionId" element={<ExecutionDetailPage />} />
        <Route path="/schedules" element={<SchedulesPage />} />
        <Route path="/accounts" element={<AccountsPage />} />
        <Route path="/notifications" element={<NotificationsPage />} />
        <Route path="/audit" element={<AuditPage />} />
        <Route path="/users" element={<UsersPage />} />
        {Object.entries(ALIASES).map(([from, to]) => (
          <Route key={from} path={from} element={<Alias to={to} />} />
        ))}
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </Frame>
  );
}
