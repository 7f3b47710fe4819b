/** Friendly names for the target-accounts API's generated types (docs/accounts.md). */
import type { components } from "./schema";

type Schemas = components["schemas"];

export type Account = Schemas["AccountRead"];
export type Verification = Schemas["Verification"];
export type RegionCheck = Schemas["RegionCheck"];

/** What a form sends: the fields a person chooses. */
export interface AccountDraft {
  name: string;
  role_arn: string;
  regions: string[];
}

export const ACCOUNT_ID = /^[0-9]{12}$/;

/** The role the spoke template creates unless told otherwise. */
export function defaultRoleArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:role/drorch-target`;
}

// The Regions DRS is offered in; the server checks the same list (domain/accounts.py).
export const DRS_REGIONS = [
  "af-south-1", "ap-east-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
  "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
  "ca-central-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2",
  "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1",
  "sa-east-1", "us-east-1", "us-east-2", "us-gov-east-1", "us-gov-west-1", "us-west-1", "us-west-2",
];
