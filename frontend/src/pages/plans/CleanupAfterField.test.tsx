import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { MemoryRouter } from "react-router-dom";
import { describe, expect, it, vi } from "vitest";
import type { RecoveryPlanDraft } from "../../api/types";
import { AsRole } from "../../test/access";
import { fakeApi, fill } from "../../test/fakeApi";
import { CleanupAfterField } from "./CleanupAfterField";
import { describeCleanup, parseMinutes, type CleanupAfter } from "./cleanupAfter";
import { PlanForm } from "./PlanForm";
import { newKey } from "./planDraft";

let seen: (CleanupAfter | undefined)[] = [];

function Harness({ initial, planValue }: { initial: CleanupAfter | undefined; planValue?: CleanupAfter }) {
  const [value, setValue] = useState(initial);
  return (
    <CleanupAfterField value={value} planValue={planValue}
      onChange={(next) => {
        seen.push(next);
        setValue(next);
      }} />
  );
}

describe("cleanupAfter", () => {
  it("reads minutes within the API's bounds and says what a hold does", () => {
    expect(parseMinutes(" 30 ")).toBe(30);
    expect(parseMinutes("0")).toBe(0);
    expect(parseMinutes("")).toBe("Enter the minutes (0: at once)");
    expect(parseMinutes("-1")).toBe("Enter 0 to 10080 minutes");
    expect(parseMinutes("10081")).toBe("Enter 0 to 10080 minutes");
    expect(parseMinutes("soon")).toBe("Enter 0 to 10080 minutes");
    expect(describeCleanup(0)).toBe("clean up at once");
    expect(describeCleanup(15)).toBe("clean up 15 minute(s) after the end");
    expect(describeCleanup("keep")).toBe("keep the instances until an operator cleans up");
  });
});

describe("CleanupAfterField", () => {
  it("switches between minutes and keep, and flags minutes out of range", async () => {
    seen = [];
    const user = userEvent.setup({ delay: null });
    render(<Harness initial={0} />);
    expect(screen.queryByText(/As the plan says/)).toBeNull();

    await fill(user, screen.getByLabelText("Cleanup after minutes"), "45");
    expect(seen.at(-1)).toBe(45);
    await fill(user, screen.getByLabelText("Cleanup after minutes"), "99999");
    expect(screen.getByText("Enter 0 to 10080 minutes")).toBeTruthy();
    expect(seen.at(-1)).toBe(45); // nothing out of range reaches the form
    await user.click(screen.getByText("Keep"));
    expect(seen.at(-1)).toBe("keep");
    expect(screen.queryByLabelText("Cleanup after minutes")).toBeNull();
  });

  it("offers the plan's own hold on a start, and keeps it by default", async () => {
    seen = [];
    const user = userEvent.setup({ delay: null });
    render(<Harness initial={undefined} planValue="keep" />);
    expect(screen.getByText("As the plan says (keep the instances until an operator cleans up)")).toBeTruthy();
    expect(screen.queryByLabelText("Cleanup after minutes")).toBeNull();

    await user.click(screen.getByText("Clean up by itself"));
    expect(seen.at(-1)).toBe(0);
    await user.click(screen.getByText(/As the plan says/));
    expect(seen.at(-1)).toBeUndefined();
  });

  it("is part of the plan form, which saves the hold chosen", async () => {
    fakeApi({ "POST /api/v1/recovery-plans/validate": () => ({ body: { valid: true, errors: [], warnings: [] } }) });
    const onSubmit = vi.fn(async (_draft: RecoveryPlanDraft) => undefined);
    const user = userEvent.setup({ delay: null });
    const waves = [{ key: newKey(), name: "db", protection_group_ids: ["pg-000000000001"], depends_on: null, pause_before: false }];
    render(
      <MemoryRouter>
        <AsRole role="plan_manager">
          <PlanForm initial={{ name: "held", description: "", rto_minutes: "", waves, cleanup_after_minutes: 0 }}
            groups={[]} submitLabel="Create plan" onSubmit={onSubmit} onCancel={() => undefined} />
        </AsRole>
      </MemoryRouter>,
    );
    await fill(user, screen.getByLabelText("Cleanup after minutes"), "120");
    await user.click(screen.getByRole("button", { name: "Create plan" }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit.mock.calls[0]?.[0].cleanup_after_minutes).toBe(120);

    await user.click(screen.getByText("Keep"));
    await user.click(screen.getByRole("button", { name: "Create plan" }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(2));
    expect(onSubmit.mock.calls[1]?.[0].cleanup_after_minutes).toBe("keep");
  });
});
