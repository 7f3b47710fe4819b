/** One account below the table: how its owner sets it up, and what the last verification found. */
import Box from "@cloudscape-design/components/box";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import CopyToClipboard from "@cloudscape-design/components/copy-to-clipboard";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import Table, { type TableProps } from "@cloudscape-design/components/table";
import type { Account, RegionCheck, Verification } from "../../api/accounts";
import { formatTime } from "../../components/format";

/** Inline shows the text beside the button; icon is for text already shown (the command). */
function Copyable({ label, text, variant = "inline" }: { label: string; text: string; variant?: "inline" | "icon" }) {
  return (
    <CopyToClipboard variant={variant} textToCopy={text} copyButtonAriaLabel={`Copy ${label}`}
      copySuccessText={`${label} copied`} copyErrorText={`${label} not copied`} />
  );
}

const REGION_COLUMNS: TableProps.ColumnDefinition<RegionCheck>[] = [
  { id: "region", header: "Region", cell: (r) => r.region, isRowHeader: true },
  { id: "ok", header: "Result", cell: (r) => <StatusIndicator type={r.ok ? "success" : "error"}>{r.ok ? "Reachable" : "Failed"}</StatusIndicator> },
  { id: "step", header: "Failed step", cell: (r) => r.failed_step ?? "-" },
  { id: "missing", header: "Missing permissions", cell: (r) => (r.missing_permissions ?? []).join(", ") || "-" },
  { id: "detail", header: "Detail", cell: (r) => r.detail || "-" },
];

/** Who checked the account, when, and the result, in one line (the table's column too). */
export function verificationSummary(v: Verification | null | undefined): string {
  if (!v) return "Never verified";
  return `${v.ok ? "Passed" : "Failed"} ${formatTime(v.at)} by ${v.by}`;
}

function VerificationResult({ verification }: { verification: Verification | null | undefined }) {
  if (!verification) return <Box>Not verified yet: run Verify once the role exists.</Box>;
  const note = verification.role_assumed ? verification.detail : `The role could not be assumed. ${verification.detail ?? ""}`;
  return (
    <SpaceBetween size="s">
      <StatusIndicator type={verification.ok ? "success" : "error"}>{verificationSummary(verification)}</StatusIndicator>
      <Box>{note || "The role was assumed."}</Box>
      <Table variant="embedded" items={verification.regions ?? []} columnDefinitions={REGION_COLUMNS} trackBy="region"
        ariaLabels={{ tableLabel: "Verification by Region" }} empty={<Box>No Region was checked.</Box>} />
    </SpaceBetween>
  );
}

export function AccountDetails({ account }: { account: Account }) {
  return (
    <Container header={<Header variant="h2" description="Its owner deploys the spoke role with the command below, then you verify.">{account.name}</Header>}>
      <SpaceBetween size="l">
        <ColumnLayout columns={2} variant="text-grid">
          <div>
            <Box variant="awsui-key-label">External id</Box>
            <Copyable label="External id" text={account.external_id} />
          </div>
          <div>
            <Box variant="awsui-key-label">Role ARN</Box>
            <Box>{account.role_arn}</Box>
          </div>
        </ColumnLayout>
        <div>
          <Box variant="awsui-key-label">Deploy command (run in {account.account_id})</Box>
          <SpaceBetween direction="horizontal" size="xs">
            <Box variant="code">{account.deploy_command}</Box>
            <Copyable label="Deploy command" text={account.deploy_command} variant="icon" />
          </SpaceBetween>
        </div>
        <div>
          <Box variant="awsui-key-label">Last verification</Box>
          <VerificationResult verification={account.last_verification} />
        </div>
      </SpaceBetween>
    </Container>
  );
}
