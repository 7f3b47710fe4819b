/** A button that is disabled, with the reason as its description, when a permission is missing. */
import Button, { type ButtonProps } from "@cloudscape-design/components/button";
import { RouterButton } from "../components/RouterLink";
import { useAccess, type Permission } from "./access";

interface GuardedProps extends ButtonProps {
  permission: Permission;
  /** Navigate inside the app instead of calling onClick. */
  to?: string;
}

export function GuardedButton({ permission, to, disabled, ...props }: GuardedProps) {
  const reason = useAccess().denied(permission);
  const guarded = { ...props, disabled: disabled || reason !== undefined, disabledReason: reason ?? props.disabledReason };
  return to ? <RouterButton {...guarded} href={to} /> : <Button {...guarded} />;
}
