import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import createWrapper from "@cloudscape-design/components/test-utils/dom";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import type { ActionType } from "../../api/actions";
import type { PlanProblem } from "../../api/types";
import { fill } from "../../test/fakeApi";
import { ActionsEditor } from "./ActionsEditor";
import { toActionDraft, type ActionRow } from "./actionDraft";
import { toDraft } from "./planDraft";

const TYPES: ActionType[] = [
  {
    name: "wait", summary: "Wait a number of minutes.", drill_default: "run", undoable: false, uses_account: false,
    params_schema: { properties: { minutes: { title: "Minutes", type: "number", description: "Minutes to wait." } }, required: ["minutes"] },
  },
  {
    name: "http_check", summary: "Call a URL.", drill_default: "run", undoable: false, uses_account: false,
    params_schema: {
      properties: { url: { title: "Url", type: "string" }, expected_status: { title: "Expected Status", type: "integer" } },
      required: ["url"],
    },
  },
  {
    name: "invoke_lambda", summary: "A hook.", drill_default: "simulate", undoable: false, uses_account: true,
    params_schema: { properties: { function_name: { title: "Function Name", type: "string" }, payload: { title: "Payload", type: "object" } }, required: ["function_name"] },
  },
];

let latest: ActionRow[] = [];

function Harness({ errors = [] }: { errors?: PlanProblem[] }) {
  const [actions, setActions] = useState<ActionRow[]>([]);
  latest = actions;
  return <ActionsEditor waveLabel="db" actions={actions} types={TYPES} errors={errors} onChange={setActions} />;
}

describe("ActionsEditor", () => {
  it("adds actions with a form per type, reorders and removes them", async () => {
    const user = userEvent.setup({ delay: null });
    render(<Harness />);
    await user.click(screen.getByRole("button", { name: "Add action to db" }));
    await fill(user, screen.getByLabelText("minutes of action-1"), "2");
    await user.click(screen.getByRole("button", { name: "Add action to db" }));
    const second = createWrapper(screen.getByTestId("action-action-2")).findSelect()!;
    act(() => second.openDropdown());
    act(() => second.selectOptionByValue("http_check"));
    await fill(user, screen.getByLabelText("url of action-2"), "http://standby/health");
    await fill(user, screen.getByLabelText("expected_status of action-2"), "204");
    expect(screen.queryByLabelText("Account of action-2")).toBeNull(); // a check needs no account
    expect(latest.map((a) => a.type)).toEqual(["wait", "http_check"]);
    expect(toActionDraft(latest[1]!, TYPES)).toMatchObject({
      name: "action-2", type: "http_check", phase: "before", params: { url: "http://standby/health", expected_status: 204 },
      on_failure: "fail_wave", in_drill: null, timeout_minutes: 60, account_id: null,
    });
    expect(toActionDraft(latest[0]!, TYPES).params).toEqual({ minutes: 2 });

    await user.click(screen.getByRole("button", { name: "Move action-2 up" }));
    expect(latest.map((a) => a.name)).toEqual(["action-2", "action-1"]);
    await user.click(screen.getByRole("button", { name: "Remove action-1" }));
    expect(latest.map((a) => a.name)).toEqual(["action-2"]);
  });

  it("shows the API's errors on the fields their paths name", async () => {
    const user = userEvent.setup({ delay: null });
    const errors = [
      { path: "waves[0].actions[0].params.minutes", message: "Input should be greater than 0" },
      { path: "waves[0].actions[1].name", message: "action name 'x' is used twice" },
    ];
    render(<Harness errors={errors} />);
    await user.click(screen.getByRole("button", { name: "Add action to db" }));
    await user.click(screen.getByRole("button", { name: "Add action to db" }));
    const first = screen.getByTestId("action-action-1");
    const second = screen.getByTestId("action-action-2");
    expect(within(first).getByText("Input should be greater than 0")).toBeTruthy();
    expect(within(second).queryByText("Input should be greater than 0")).toBeNull();
    expect(within(second).getByText("action name 'x' is used twice")).toBeTruthy();
  });

  it("sends a wave's actions only when it has some, with JSON params parsed", () => {
    const row: ActionRow = {
      key: "k", name: "hook", type: "invoke_lambda", phase: "after", params: { function_name: "f", payload: '{"a": 1}' },
      account_id: "123456789012", region: "us-east-1", timeout_minutes: "5", on_failure: "continue", in_drill: "skip",
    };
    const state = {
      name: "p", description: "", rto_minutes: "",
      waves: [
        { key: "a", name: "db", protection_group_ids: ["pg-1"], depends_on: null, pause_before: false },
        { key: "b", name: "gate", protection_group_ids: [], depends_on: null, pause_before: false, actions: [row] },
      ],
    };
    const draft = toDraft(state, TYPES);
    expect(draft.waves[0]).not.toHaveProperty("actions");
    expect(draft.waves[1]?.actions).toEqual([
      {
        name: "hook", type: "invoke_lambda", phase: "after", params: { function_name: "f", payload: { a: 1 } },
        account_id: "123456789012", region: "us-east-1", timeout_minutes: 5, on_failure: "continue", in_drill: "skip",
      },
    ]);
  });
});
