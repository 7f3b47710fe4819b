/** Create a new protection group or edit an existing one. */
import { useNavigate, useParams } from "react-router-dom";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import Spinner from "@cloudscape-design/components/spinner";
import { api } from "../../api/client";
import { useResource } from "../../api/useResource";
import type { ProtectionGroupDraft } from "../../api/types";
import { ProblemAlert } from "../../components/ProblemAlert";
import { useFlash } from "../../layout/flash";
import { Shell } from "../../layout/Shell";
import { GroupForm } from "./GroupForm";
import { emptyGroup, fromGroup } from "./groupDraft";

export function GroupEditPage() {
  const { groupId } = useParams();
  const navigate = useNavigate();
  const flash = useFlash();
  const group = useResource((signal) => (groupId ? api.getGroup(groupId, signal) : Promise.resolve(undefined)), [groupId]);
  const title = groupId ? `Edit ${group.data?.name ?? "protection group"}` : "Create protection group";

  const save = async (draft: ProtectionGroupDraft) => {
    const saved = group.data ? await api.updateGroup(group.data.id, group.data.version, draft) : await api.createGroup(draft);
    const warnings = saved.warnings ?? [];
    if (warnings.length) {
      flash.notify("warning", `Protection group ${saved.name} saved with ${warnings.length} warning(s)`, warnings.map((w) => w.message).join(" "));
    } else {
      flash.notify("success", `Protection group ${saved.name} saved`, `${saved.member_server_ids.length} server(s).`);
    }
    navigate("/groups");
  };

  let body;
  if (group.error) body = <ProblemAlert error={group.error} onRetry={group.reload} />;
  else if (group.loading && groupId) body = <Spinner size="large" />;
  else
    body = (
      <GroupForm
        key={group.data?.id ?? "new"}
        initial={group.data ? fromGroup(group.data) : emptyGroup()}
        groupId={group.data?.id}
        submitLabel={groupId ? "Save changes" : "Create group"}
        onSubmit={save}
        onCancel={() => navigate("/groups")}
      />
    );
  return (
    <Shell breadcrumbs={[{ text: "Protection groups", href: "/groups" }, { text: groupId ? "Edit" : "Create", href: "#" }]}>
      <ContentLayout header={<Header variant="h1">{title}</Header>}>{body}</ContentLayout>
    </Shell>
  );
}
