/** The account form's state and the checks made before the server sees it. */
import { ACCOUNT_ID, defaultRoleArn, type Account, type AccountDraft } from "../../api/accounts";

export interface AccountFormState {
  account_id: string;
  name: string;
  /** Empty means the default role of the account id. */
  role_arn: string;
  regions: string[];
}

export function emptyForm(): AccountFormState {
  return { account_id: "", name: "", role_arn: "", regions: [] };
}

export function formOf(account: Account): AccountFormState {
  const { account_id, name, role_arn, regions } = account;
  // A default role stays "default" in the form, so changing nothing keeps it.
  return { account_id, name, role_arn: role_arn === defaultRoleArn(account_id) ? "" : role_arn, regions };
}

export interface FormProblems {
  account_id?: string;
  name?: string;
  role_arn?: string;
  regions?: string;
}

/** What is wrong with the form, field by field; empty when it may be sent. */
export function formProblems(form: AccountFormState): FormProblems {
  const problems: FormProblems = {};
  if (!ACCOUNT_ID.test(form.account_id)) problems.account_id = "Exactly 12 digits.";
  if (!form.name.trim()) problems.name = "A name is required.";
  const arn = form.role_arn.trim();
  const owner = /^arn:aws[a-z-]*:iam::([0-9]{12}):role\/.+$/.exec(arn);
  if (arn && !owner) problems.role_arn = "An IAM role ARN: arn:aws:iam::<account id>:role/<name>.";
  else if (owner && owner[1] !== form.account_id) problems.role_arn = "The role must be in this account.";
  if (form.regions.length === 0) problems.regions = "Choose at least one Region.";
  return problems;
}

export function draftOf(form: AccountFormState): AccountDraft {
  return { name: form.name.trim(), role_arn: form.role_arn.trim() || defaultRoleArn(form.account_id), regions: form.regions };
}
