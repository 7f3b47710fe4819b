import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, toProblem } from "../../api/problem";
import type { ProtectionGroupDraft, SourceServer } from "../../api/types";
import { fakeApi, fill } from "../../test/fakeApi";
import { GroupForm } from "./GroupForm";
import { emptyGroup } from "./groupDraft";
import { AsRole } from "../../test/access";

const ACCOUNT = "111122223333";

function srv(n: number, tags: Record<string, string>): SourceServer {
  return {
    id: `s-${String(n).padStart(17, "0")}`,
    account_id: ACCOUNT,
    region: "us-east-1",
    hostname: `host-${n}`,
    os: "LINUX",
    tags,
    replication_state: "CONTINUOUS",
    replication_healthy: true,
    lag_seconds: 1,
    last_launch_result: "NOT_STARTED",
    recovery_instance_id: null,
    synced_at: null,
    group_id: null,
    group_name: null,
  };
}

const INVENTORY = [srv(1, { app: "billing" }), srv(2, { app: "billing" }), srv(3, { app: "crm" })];

function previewRoute(body: unknown) {
  const selection = (body as { selection: { tags?: Record<string, string>; server_ids?: string[] } }).selection;
  const servers = INVENTORY.filter((s) =>
    selection.server_ids
      ? selection.server_ids.includes(s.id)
      : Object.entries(selection.tags ?? {}).every(([k, v]) => s.tags[k] === v),
  );
  const conflicts = servers
    .filter((s) => s.id.endsWith("2"))
    .map((s) => ({ source_server_id: s.id, group_id: "pg-000000000001", group_name: "legacy" }));
  // As the server does: a selection matching nothing, overrides of servers not picked.
  const overridden = Object.keys((body as { server_overrides?: Record<string, unknown> }).server_overrides ?? {});
  const warnings = [
    ...(servers.length ? [] : [{ path: "selection", message: "the tag selector matches no source server" }]),
    ...overridden
      .filter((id) => !servers.some((s) => s.id === id))
      .map((id) => ({ path: `server_overrides.${id}`, message: `${id} is not in the group's selection` })),
  ];
  return { body: { servers, conflicts, warnings } };
}

function renderForm(onSubmit = vi.fn(async (_draft: ProtectionGroupDraft) => undefined)) {
  render(
    <MemoryRouter>
      <AsRole role="plan_manager">
        <GroupForm initial={emptyGroup()} submitLabel="Create group" onSubmit={onSubmit} onCancel={() => undefined} />
      </AsRole>
    </MemoryRouter>,
  );
  return onSubmit;
}

async function fillScopeAndTag(user: ReturnType<typeof userEvent.setup>) {
  await fill(user, screen.getByLabelText("Name"), "billing");
  await fill(user, screen.getByLabelText(/AWS account/), ACCOUNT);
  await fill(user, screen.getByLabelText(/Region/), "us-east-1");
  await fill(user, screen.getByLabelText("Tag key 1"), "app");
  await fill(user, screen.getByLabelText("Tag value 1"), "billing");
}

afterEach(() => vi.unstubAllGlobals());

describe("GroupForm", () => {
  it("previews the servers a tag selector picks and flags those another group holds", async () => {
    const api = fakeApi({ "POST /api/v1/protection-groups/preview": previewRoute });
    const user = userEvent.setup({ delay: null });
    renderForm();
    await fillScopeAndTag(user);

    const table = await screen.findByRole("table", { name: "Matching servers" });
    await waitFor(() => expect(within(table).getByText("host-1")).toBeTruthy());
    expect(within(table).getByText("host-2")).toBeTruthy();
    expect(within(table).queryByText("host-3")).toBeNull();
    expect(within(table).getByText("Held by group legacy")).toBeTruthy();
    const last = api.calls.filter((c) => c.path.endsWith("/preview")).at(-1);
    expect(last?.body).toMatchObject({ account_id: ACCOUNT, region: "us-east-1", selection: { tags: { app: "billing" } } });
  });

  it("warns when the selection matches nothing or an override's server is no longer selected", async () => {
    const api = fakeApi({ "POST /api/v1/protection-groups/preview": previewRoute });
    const user = userEvent.setup({ delay: null });
    renderForm();
    await fillScopeAndTag(user);
    await fill(user, await screen.findByLabelText("Static private IP for host-1"), "10.0.1.20");
    await fill(user, screen.getByLabelText("Tag value 1"), "crm");
    const alert = await screen.findByTestId("group-warnings");
    await waitFor(() => expect(alert.textContent).toContain(`${INVENTORY[0]!.id} is not in the group's selection`));
    const last = api.calls.filter((c) => c.path.endsWith("/preview")).at(-1);
    expect(last?.body).toMatchObject({ server_overrides: { [INVENTORY[0]!.id]: {} } });
    await fill(user, screen.getByLabelText("Tag value 1"), "nobody");
    await waitFor(() => expect(screen.getByTestId("group-warnings").textContent).toContain("matches no source server"));
  });

  it("submits launch defaults and a per-server override with the selection", async () => {
    fakeApi({ "POST /api/v1/protection-groups/preview": previewRoute });
    const user = userEvent.setup({ delay: null });
    const onSubmit = renderForm();
    await fillScopeAndTag(user);
    await fill(user, screen.getByLabelText("Instance type"), "m5.large");
    await fill(user, await screen.findByLabelText("Static private IP for host-1"), "10.0.1.20");
    await user.click(screen.getByLabelText("host-1 is optional"));
    await user.click(screen.getByRole("button", { name: "Create group" }));

    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    const draft = onSubmit.mock.calls[0]?.[0];
    expect(draft).toMatchObject({
      name: "billing",
      account_id: ACCOUNT,
      selection: { tags: { app: "billing" } },
      launch_defaults: { instance_type: "m5.large", right_sizing: "BASIC", copy_tags: true },
    });
    expect(draft?.server_overrides).toEqual({
      [INVENTORY[0]!.id]: { instance_type: null, static_private_ip: "10.0.1.20", subnet_id: null, optional: true },
    });
  });

  it("shows a refused save as readable messages next to the fields", async () => {
    fakeApi({ "POST /api/v1/protection-groups/preview": previewRoute });
    const user = userEvent.setup({ delay: null });
    const problem = toProblem(422, "Unprocessable", {
      title: "Invalid input",
      detail: "launch_defaults.instance_type: 'huge' is not an EC2 instance type such as m5.large",
      errors: [{ path: "launch_defaults.instance_type", message: "'huge' is not an EC2 instance type such as m5.large" }],
    });
    renderForm(vi.fn(async () => { throw new ApiError(problem); }));
    await fillScopeAndTag(user);
    await user.click(screen.getByRole("button", { name: "Create group" }));

    expect(await screen.findByText("The group was not saved")).toBeTruthy();
    expect(screen.getAllByText(/'huge' is not an EC2 instance type/).length).toBeGreaterThanOrEqual(2);
  });

  it("picks servers explicitly from the inventory of the account and Region", async () => {
    const api = fakeApi({
      "GET /api/v1/source-servers": () => ({ body: { items: INVENTORY, next_cursor: null } }),
      "POST /api/v1/protection-groups/preview": previewRoute,
    });
    const user = userEvent.setup({ delay: null });
    renderForm();
    await fill(user, screen.getByLabelText(/AWS account/), ACCOUNT);
    await fill(user, screen.getByLabelText(/Region/), "us-east-1");
    await user.click(screen.getByLabelText(/Explicit servers/));
    const picker = await screen.findByRole("table", { name: "Servers to pick" });
    await waitFor(() => expect(within(picker).getByText("host-3")).toBeTruthy());
    await user.click(within(picker).getAllByLabelText("Select host-3")[0]!);

    await waitFor(() => {
      const previews = api.calls.filter((c) => c.path.endsWith("/preview"));
      expect(previews.at(-1)?.body).toMatchObject({ selection: { server_ids: [INVENTORY[2]!.id] } });
    });
    const listing = api.calls.find((c) => c.path === "/api/v1/source-servers");
    expect(listing).toBeTruthy();
  });
});
