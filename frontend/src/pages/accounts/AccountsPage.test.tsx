import { act, render, screen, waitFor, within } from "@testing-library/react";
import createWrapper from "@cloudscape-design/components/test-utils/dom";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Account, Verification } from "../../api/accounts";
import type { Role } from "../../api/identity";
import { FlashProvider, useFlash } from "../../layout/flash";
import { AsRole } from "../../test/access";
import { fakeApi, fill, type Answer } from "../../test/fakeApi";
import { AccountsPage } from "./AccountsPage";
import { formProblems } from "./accountForm";

const AT = "2026-12-01T10:00:00Z";

function account(account_id: string, name: string, last_verification: Verification | null = null): Account {
  return {
    account_id, name, role_arn: `arn:aws:iam::${account_id}:role/drorch-target`, regions: ["us-east-1", "us-west-2"],
    external_id: `drorch-${name}-external`, status: last_verification ? (last_verification.ok ? "VERIFIED" : "FAILED") : "UNVERIFIED",
    last_verification, deploy_command: `aws cloudformation deploy --stack-name drorch-target ExternalId=drorch-${name}-external`,
    version: 2, created_at: AT, updated_at: AT,
  };
}

const PASSED: Verification = { at: AT, by: "rita", ok: true, role_assumed: true, detail: "", regions: [{ region: "us-east-1", ok: true, failed_step: null, missing_permissions: [], detail: "" }] };
const PAYROLL = account("444455556666", "payroll", PASSED);
const SHOP = account("111122223333", "shop");

function FlashMessages() {
  const { items } = useFlash();
  return <ul aria-label="Flash messages">{items.map((item) => <li key={item.id}>{String(item.header)}: {String(item.content ?? "")}</li>)}</ul>;
}

function renderPage(role: Role = "admin", routes: Record<string, () => Answer> = {}) {
  const fake = fakeApi({
    "GET /api/v1/accounts": () => ({ body: [PAYROLL, SHOP] }),
    "POST /api/v1/accounts": (body) => ({ status: 201, body: { ...account("777788889999", "x"), ...(body as object) } }),
    ...routes,
  });
  render(<MemoryRouter><AsRole role={role}><FlashProvider><FlashMessages /><AccountsPage /></FlashProvider></AsRole></MemoryRouter>);
  return fake;
}

async function select(user: ReturnType<typeof userEvent.setup>, name: string) {
  await user.click(await screen.findByRole("radio", { name: `Select ${name}` }));
}

afterEach(() => vi.unstubAllGlobals());

describe("AccountsPage", () => {
  it("lists the accounts with their status and last verification", async () => {
    renderPage();
    const table = createWrapper().findTable()!;
    await waitFor(() => expect(table.findRows()).toHaveLength(2));
    const payroll = table.findBodyCell(1, 2)!.getElement().textContent;
    expect(payroll).toBe("444455556666");
    expect(table.findBodyCell(1, 5)!.getElement().textContent).toBe("us-east-1, us-west-2");
    expect(table.findBodyCell(1, 6)!.getElement().textContent).toBe("VERIFIED");
    expect(table.findBodyCell(1, 7)!.getElement().textContent).toMatch(/^Passed .* by rita$/);
    expect(table.findBodyCell(2, 6)!.getElement().textContent).toBe("UNVERIFIED");
    expect(table.findBodyCell(2, 7)!.getElement().textContent).toBe("Never verified");
  });

  it("shows the selected account's external id and deploy command, each with a copy button", async () => {
    renderPage();
    const user = userEvent.setup({ delay: null });
    await select(user, "shop");
    expect(screen.getByText("drorch-shop-external")).toBeTruthy();
    expect(screen.getByText(SHOP.deploy_command)).toBeTruthy();
    expect(screen.getByRole("button", { name: "Copy External id" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Copy Deploy command" })).toBeTruthy();
  });

  it("registers an account only once the form is valid, with the default role", async () => {
    const fake = renderPage();
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByRole("button", { name: "Register account" }));
    const dialog = screen.getByRole("dialog");
    const inside = within(dialog);
    const submit = inside.getByRole("button", { name: "Register account" });
    await fill(user, inside.getByLabelText("Account id"), "12345");
    expect(inside.getByText("Exactly 12 digits.")).toBeTruthy();
    expect(submit.hasAttribute("disabled")).toBe(true);
    await user.clear(inside.getByLabelText("Account id"));
    await fill(user, inside.getByLabelText("Account id"), "777788889999");
    await fill(user, inside.getByLabelText("Name"), "hr");
    expect(inside.getByText("Choose at least one Region.")).toBeTruthy();
    const regions = createWrapper(dialog).findMultiselect()!;
    act(() => regions.openDropdown());
    act(() => regions.selectOptionByValue("eu-west-1"));
    await waitFor(() => expect(submit.hasAttribute("disabled")).toBe(false));
    await user.click(submit);

    expect(await screen.findByText(/^Account hr registered/)).toBeTruthy();
    const created = fake.calls.find((c) => c.method === "POST" && c.path === "/api/v1/accounts");
    expect(created?.body).toEqual({ account_id: "777788889999", name: "hr", role_arn: "arn:aws:iam::777788889999:role/drorch-target", regions: ["eu-west-1"] });
  });

  it("checks the role ARN names the same account", () => {
    const form = { account_id: "777788889999", name: "hr", regions: ["us-east-1"] };
    expect(formProblems({ ...form, role_arn: "arn:aws:iam::111122223333:role/x" }).role_arn).toBe("The role must be in this account.");
    expect(formProblems({ ...form, role_arn: "not-an-arn" }).role_arn).toMatch(/^An IAM role ARN/);
    expect(formProblems({ ...form, role_arn: "" })).toEqual({});
  });

  it("disables every change for an operator, with the reason", async () => {
    const fake = renderPage("operator");
    const user = userEvent.setup({ delay: null });
    await select(user, "payroll");
    for (const name of ["Register account", "Verify", "Edit", "Delete"]) {
      const button = screen.getByRole("button", { name });
      expect(button.getAttribute("aria-disabled")).toBe("true");
      const described = document.getElementById(button.getAttribute("aria-describedby") ?? "");
      expect(described?.textContent).toBe("Needs the recovery_manager role (permission accounts:write)");
      await user.click(button);
    }
    expect(fake.calls.every((c) => c.method === "GET")).toBe(true);
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("verifies an account and shows each Region's result and missing permissions", async () => {
    const failed: Verification = {
      at: AT, by: "admin", ok: false, role_assumed: true, detail: "",
      regions: [
        { region: "us-east-1", ok: true, failed_step: null, missing_permissions: [], detail: "" },
        { region: "us-west-2", ok: false, failed_step: "DescribeJobs", missing_permissions: ["drs:DescribeJobs", "ec2:DescribeSubnets"], detail: "refused" },
      ],
    };
    const fake = renderPage("recovery_manager", { "POST /api/v1/accounts/111122223333/verify": () => ({ body: account("111122223333", "shop", failed) }) });
    const user = userEvent.setup({ delay: null });
    await select(user, "shop");
    expect(screen.getByText("Not verified yet: run Verify once the role exists.")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Verify" }));

    expect(await screen.findByText(/^shop failed verification/)).toBeTruthy();
    expect(fake.calls.some((c) => c.method === "POST" && c.path === "/api/v1/accounts/111122223333/verify")).toBe(true);
    const regions = createWrapper().findTable('[aria-label="Verification by Region"]') ?? createWrapper().findAllTables()[1]!;
    expect(regions.findRows()).toHaveLength(2);
    expect(regions.findBodyCell(2, 1)!.getElement().textContent).toBe("us-west-2");
    expect(regions.findBodyCell(2, 3)!.getElement().textContent).toBe("DescribeJobs");
    expect(regions.findBodyCell(2, 4)!.getElement().textContent).toBe("drs:DescribeJobs, ec2:DescribeSubnets");
    expect(createWrapper().findTable()!.findBodyCell(2, 6)!.getElement().textContent).toBe("FAILED");
  });

  it("shows why a delete was refused: the groups that use the account", async () => {
    const fake = renderPage("admin", {
      "DELETE /api/v1/accounts/444455556666": () => ({ status: 409, body: { title: "Conflict", detail: "account 444455556666 is used by protection groups web, db" } }),
    });
    const user = userEvent.setup({ delay: null });
    await select(user, "payroll");
    await user.click(screen.getByRole("button", { name: "Delete" }));
    await user.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Delete" }));
    expect(await screen.findByText(/used by protection groups web, db/)).toBeTruthy();
    expect(fake.calls.find((c) => c.method === "DELETE")?.headers["If-Match"]).toBe('"2"');
  });
});
