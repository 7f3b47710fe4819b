/**
 * The console's addresses, and the obvious other names for them (the API's resource names,
 * singulars) that redirect to the real ones. README "UI" lists the same table.
 */

/** Alias pattern -> where it goes; `:id` carries over. */
export const ALIASES: Record<string, string> = {
  "/dashboard": "/",
  "/home": "/",
  "/login": "/",
  "/sign-in": "/",
  "/source-servers": "/servers",
  "/server": "/servers",
  "/inventory": "/servers",
  "/protection-groups": "/groups",
  "/protection-groups/new": "/groups/new",
  "/protection-groups/:id": "/groups/:id/edit",
  "/protection-groups/:id/edit": "/groups/:id/edit",
  "/group": "/groups",
  "/groups/:id": "/groups/:id/edit",
  "/recovery-plans": "/plans",
  "/recovery-plans/new": "/plans/new",
  "/recovery-plans/:id": "/plans/:id/edit",
  "/recovery-plans/:id/edit": "/plans/:id/edit",
  "/recovery-plans/:id/start": "/plans/:id/start",
  "/plan": "/plans",
  "/plans/:id": "/plans/:id/edit",
  "/execution": "/executions",
  "/execution/:id": "/executions/:id",
  "/drills": "/executions",
  "/recoveries": "/executions",
  "/audit-log": "/audit",
  "/admin/users": "/users",
  "/target-accounts": "/accounts",
  "/account": "/accounts",
};

/** Fill an alias target with the matched id. */
export function aliasTarget(target: string, id: string | undefined): string {
  return id === undefined ? target : target.replace(":id", encodeURIComponent(id));
}
