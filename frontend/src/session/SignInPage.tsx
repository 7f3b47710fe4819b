/** The page shown to someone not signed in. */
import Box from "@cloudscape-design/components/box";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import type { Me } from "../api/identity";
import { cognitoPool } from "../api/runtimeConfig";
import { SignInForm } from "./SignInForm";

export function SignInPage({ onSignedIn }: { onSignedIn: (user: Me) => void }) {
  return (
    <main style={{ maxWidth: 420, margin: "10vh auto", padding: "0 16px" }}>
      <Container header={<Header variant="h1" description="Disaster-recovery orchestration for AWS DRS">Sign in to drorch</Header>}>
        <SignInForm onSignedIn={onSignedIn} />
      </Container>
      <Box margin={{ top: "s" }} color="text-body-secondary" fontSize="body-s">
        {cognitoPool()
          ? <>No account yet? An administrator adds you to the Cognito user pool, in the group of your role.</>
          : <>No account yet? An administrator creates users with <code>drorch users add</code>.</>}
      </Box>
    </main>
  );
}
