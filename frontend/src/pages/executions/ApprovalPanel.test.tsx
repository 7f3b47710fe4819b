import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { StepRun } from "../../api/actions";
import type { Execution } from "../../api/executions";
import { FlashProvider } from "../../layout/flash";
import { AsRole } from "../../test/access";
import { fakeApi, fill } from "../../test/fakeApi";
import { ApprovalPanel } from "./ApprovalPanel";
import { stepNote } from "./StepList";

function step(extra: Partial<StepRun> = {}): StepRun {
  return {
    name: "go-ahead", type: "approval", phase: "before", status: "RUNNING", params: { prompt: "Data good?" },
    account_id: null, region: null, on_failure: "fail_wave", in_drill: "run", timeout_minutes: 60, attempts: 0,
    idempotency_key: "", started_at: "2026-01-01T00:00:00Z", ended_at: null, deadline: "2026-01-01T01:00:00Z",
    changed: {}, output: {}, error_code: null, error: null, decided_by: null, comment: null, undo: null,
    awaiting_approval: true, ...extra,
  };
}

function execution(type: "DRILL" | "RECOVERY", steps: StepRun[]): Execution {
  return {
    id: "ex-1", type, waves: [{ name: "gate", status: "RUNNING", depends_on: [], pause_before: false, started_at: null, ended_at: null, server_count: 0, counts: {}, steps }],
  } as unknown as Execution;
}

afterEach(() => vi.unstubAllGlobals());

describe("ApprovalPanel", () => {
  it("approves a pending approval with a comment", async () => {
    const api = fakeApi({ "POST /api/v1/executions/ex-1/steps/go-ahead/approve": () => ({ body: execution("DRILL", [step({ status: "SUCCEEDED", awaiting_approval: false })]) }) });
    const onDone = vi.fn();
    const user = userEvent.setup({ delay: null });
    render(<FlashProvider><AsRole role="operator"><ApprovalPanel execution={execution("DRILL", [step()])} onDone={onDone} /></AsRole></FlashProvider>);
    expect(screen.getByText("Data good?")).toBeTruthy();
    await fill(user, screen.getByLabelText("Comment on go-ahead"), "checked the counts");
    await user.click(screen.getByRole("button", { name: "Approve" }));
    await waitFor(() => expect(onDone).toHaveBeenCalledTimes(1));
    expect(api.calls.at(-1)).toMatchObject({ method: "POST", path: "/api/v1/executions/ex-1/steps/go-ahead/approve", body: { comment: "checked the counts" } });
  });

  it("lets only a recovery manager decide a recovery's approval", () => {
    const { unmount } = render(<FlashProvider><AsRole role="operator"><ApprovalPanel execution={execution("RECOVERY", [step()])} onDone={() => undefined} /></AsRole></FlashProvider>);
    expect(screen.getByRole("button", { name: "Approve" }).getAttribute("aria-disabled")).toBe("true");
    unmount();
    render(<FlashProvider><AsRole role="recovery_manager"><ApprovalPanel execution={execution("RECOVERY", [step()])} onDone={() => undefined} /></AsRole></FlashProvider>);
    const decline = screen.getByRole("button", { name: "Decline" });
    expect(decline.getAttribute("aria-disabled")).not.toBe("true");
    expect(decline.hasAttribute("disabled")).toBe(false);
  });

  it("shows nothing without a pending approval, and a step's outcome in words", () => {
    const declined = step({ status: "FAILED", awaiting_approval: false, error_code: "Declined", error: "declined by ana", comment: "wrong data" });
    const { container } = render(<FlashProvider><ApprovalPanel execution={execution("DRILL", [declined])} onDone={() => undefined} /></FlashProvider>);
    expect(container.textContent).toBe("");
    expect(stepNote(declined)).toBe("Declined: declined by ana · “wrong data”");
  });
});
