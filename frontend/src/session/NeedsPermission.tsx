/** A page part only some roles may see: otherwise a note saying which role it needs. */
import type { ReactNode } from "react";
import Alert from "@cloudscape-design/components/alert";
import { useAccess, type Permission } from "./access";

export function NeedsPermission({ permission, children }: { permission: Permission; children: ReactNode }) {
  const reason = useAccess().denied(permission);
  if (!reason) return <>{children}</>;
  return <Alert type="info" header="Not available to your role">{reason}.</Alert>;
}
