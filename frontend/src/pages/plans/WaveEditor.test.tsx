import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import createWrapper from "@cloudscape-design/components/test-utils/dom";
import { useState } from "react";
import { MemoryRouter } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { PlanProblem, ProtectionGroup, RecoveryPlanDraft } from "../../api/types";
import { fakeApi, fill } from "../../test/fakeApi";
import { PlanForm } from "./PlanForm";
import { WaveEditor } from "./WaveEditor";
import { layoutGraph, newKey, type WaveRow } from "./planDraft";
import { AsRole } from "../../test/access";

function group(n: number, name: string): ProtectionGroup {
  return {
    id: `pg-00000000000${n}`,
    name,
    description: "",
    account_id: "111122223333",
    region: "us-east-1",
    selection: { tags: { app: name } },
    launch_defaults: { right_sizing: "BASIC", copy_private_ip: false, copy_tags: true, byol: false, launch_disposition: "STARTED" },
    server_overrides: {},
    member_server_ids: [],
    version: 1,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
  };
}

const GROUPS = [group(1, "databases"), group(2, "apps")];

function wave(name: string, extra: Partial<WaveRow> = {}): WaveRow {
  return { key: newKey(), name, protection_group_ids: [], depends_on: null, pause_before: false, ...extra };
}

let latest: WaveRow[] = [];

function Harness({ initial, errors = [], warnings = [] }: { initial: WaveRow[]; errors?: PlanProblem[]; warnings?: PlanProblem[] }) {
  const [waves, setWaves] = useState(initial);
  latest = waves;
  return <WaveEditor waves={waves} groups={GROUPS} errors={errors} warnings={warnings} onChange={setWaves} />;
}

const names = () => latest.map((w) => w.name);
const card = (i: number) => screen.getByTestId(`wave-card-${i}`);

afterEach(() => vi.unstubAllGlobals());

describe("WaveEditor", () => {
  it("adds, reorders and removes waves", async () => {
    const user = userEvent.setup({ delay: null });
    render(<Harness initial={[wave("db")]} />);
    await user.click(screen.getByRole("button", { name: "Add wave" }));
    expect(names()).toEqual(["db", "wave-2"]);
    await user.click(screen.getByRole("button", { name: "Move wave-2 up" }));
    expect(names()).toEqual(["wave-2", "db"]);
    await user.click(screen.getByRole("button", { name: "Remove wave-2" }));
    expect(names()).toEqual(["db"]);
    expect((screen.getByRole("button", { name: "Remove db" }) as HTMLButtonElement).disabled).toBe(true);
  });

  it("picks groups, sets depends_on and pause_before, and renames dependencies", async () => {
    const user = userEvent.setup({ delay: null });
    render(<Harness initial={[wave("db"), wave("app"), wave("web", { depends_on: ["db"] })]} />);
    const picker = createWrapper(card(1)).findMultiselect()!;
    act(() => picker.openDropdown());
    act(() => picker.selectOptionByValue("pg-000000000002"));
    await user.click(within(card(1)).getByLabelText(/Pause before this wave/));
    await user.click(within(card(1)).getByLabelText("After the previous wave"));
    expect(latest[1]).toMatchObject({ protection_group_ids: ["pg-000000000002"], pause_before: true, depends_on: ["db"] });

    const name = within(card(0)).getByLabelText("Name of wave 1");
    await user.clear(name);
    await fill(user, name, "database");
    expect(latest[2]?.depends_on).toEqual(["database"]);
    expect(latest[1]?.depends_on).toEqual(["database"]);
  });

  it("shows validation errors and warnings on the wave they name", () => {
    render(
      <Harness
        initial={[wave("db"), wave("app")]}
        errors={[{ path: "waves[1].protection_group_ids", message: "wave 'app' has no protection groups" }]}
        warnings={[{ path: "waves[0].servers.s-1", message: "wave 'db': s-1 replication is STALLED" }]}
      />,
    );
    expect(within(card(1)).getByText("wave 'app' has no protection groups")).toBeTruthy();
    expect(within(card(0)).queryByText("wave 'app' has no protection groups")).toBeNull();
    expect(within(card(0)).getByText("wave 'db': s-1 replication is STALLED")).toBeTruthy();
  });
});

describe("PlanForm", () => {
  it("validates the draft live, draws the graph and submits the waves", async () => {
    const api = fakeApi({
      "POST /api/v1/recovery-plans/validate": (body) => {
        const waves = (body as RecoveryPlanDraft).waves;
        const errors = waves
          .map((w, i) => ({ w, i }))
          .filter(({ w }) => !w.protection_group_ids?.length)
          .map(({ w, i }) => ({ path: `waves[${i}].protection_group_ids`, message: `wave '${w.name}' has no protection groups` }));
        return { body: { valid: errors.length === 0, errors, warnings: [] } };
      },
    });
    const onSubmit = vi.fn(async (_draft: RecoveryPlanDraft) => undefined);
    const user = userEvent.setup({ delay: null });
    render(
      <MemoryRouter>
        <AsRole role="plan_manager">
          <PlanForm initial={{ name: "", description: "", rto_minutes: "", waves: [wave("db", { protection_group_ids: ["pg-000000000001"] })] }}
            groups={GROUPS} submitLabel="Create plan" onSubmit={onSubmit} onCancel={() => undefined} />
        </AsRole>
      </MemoryRouter>,
    );
    await fill(user, screen.getByLabelText("Name"), "two waves");
    await user.click(screen.getByRole("button", { name: "Add wave" }));
    expect(await screen.findByText("wave 'wave-2' has no protection groups")).toBeTruthy();
    expect(screen.getByTestId("wave-graph").getAttribute("aria-label")).toContain("wave-2 after db");

    const picker = createWrapper(card(1)).findMultiselect()!;
    act(() => picker.openDropdown());
    act(() => picker.selectOptionByValue("pg-000000000002"));
    await user.click(within(card(1)).getByLabelText(/Pause before this wave/));
    await waitFor(() => expect(screen.getByText("Plan is valid")).toBeTruthy());
    await user.click(screen.getByRole("button", { name: "Create plan" }));

    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit.mock.calls[0]?.[0]).toEqual({
      name: "two waves",
      description: "",
      rto_minutes: null,
      waves: [
        { name: "db", protection_group_ids: ["pg-000000000001"], depends_on: null, pause_before: false },
        { name: "wave-2", protection_group_ids: ["pg-000000000002"], depends_on: null, pause_before: true },
      ],
      cleanup_after_minutes: 0,
    });
    expect(api.calls.some((c) => c.path === "/api/v1/recovery-plans/validate")).toBe(true);
  });
});

describe("layoutGraph", () => {
  it("puts parallel waves in one column and reports cycles", () => {
    const tree = layoutGraph([wave("a"), wave("b", { depends_on: ["a"] }), wave("c", { depends_on: ["a"] }), wave("d", { depends_on: ["b", "c"] })]);
    expect(tree.nodes.map((n) => [n.name, n.level, n.row])).toEqual([["a", 0, 0], ["b", 1, 0], ["c", 1, 1], ["d", 2, 0]]);
    expect(tree.cyclic).toBe(false);
    expect(layoutGraph([wave("a", { depends_on: ["b"] }), wave("b")]).cyclic).toBe(true);
  });
});
