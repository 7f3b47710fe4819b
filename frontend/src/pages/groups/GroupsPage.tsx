/** Protection groups: the list, with delete. */
import { api } from "../../api/client";
import type { ProtectionGroup } from "../../api/types";
import { ResourceListPage } from "../../components/ResourceListPage";
import { formatTags } from "../../components/format";

function describeSelection(group: ProtectionGroup): string {
  const { selection } = group;
  if ("tags" in selection) return `Tags: ${formatTags(selection.tags)}`;
  return `${selection.server_ids.length} explicit server(s)`;
}

export function GroupsPage() {
  return (
    <ResourceListPage<ProtectionGroup>
      names={{ one: "protection group", many: "Protection groups", short: "group" }}
      path="/groups"
      load={(signal) => api.listGroups({ limit: 500 }, signal)}
      columns={[
        { id: "scope", header: "Account / Region", cell: (g) => `${g.account_id} / ${g.region}` },
        { id: "selection", header: "Selection", cell: describeSelection },
        { id: "description", header: "Description", cell: (g) => g.description || "-" },
      ]}
      remove={(g) => api.deleteGroup(g.id, g.version)}
      deleteNote="Plans that use it block the deletion."
      writePermission="groups:write"
    />
  );
}
