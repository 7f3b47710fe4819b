import Alert from "@cloudscape-design/components/alert";
import { RouterLink } from "../components/RouterLink";
import { Shell } from "../layout/Shell";

export function NotFoundPage() {
  return (
    <Shell breadcrumbs={[]}>
      <Alert type="error" header="Page not found">
        Nothing lives at this address. <RouterLink href="/">Go to the dashboard</RouterLink>
      </Alert>
    </Shell>
  );
}
