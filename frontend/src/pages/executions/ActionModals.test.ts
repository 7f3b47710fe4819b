import { describe, expect, it } from "vitest";
import type { Execution } from "../../api/executions";
import { accessFor } from "../../session/access";
import { userOf } from "../../test/access";
import { actionPermission, allowedActions } from "./ActionModals";

function execution(type: "DRILL" | "RECOVERY", status: string): Execution {
  return { id: "ex-1", type, status, cleanup_status: "NOT_STARTED" } as unknown as Execution;
}

describe("execution actions by role", () => {
  it("lets an operator operate a drill but not a recovery, naming what is missing", () => {
    const operator = accessFor(userOf("operator"));
    const drill = execution("DRILL", "RUNNING");
    const recovery = execution("RECOVERY", "RUNNING");
    expect(allowedActions(drill).map((a) => operator.denied(actionPermission(drill, a)))).toEqual([undefined, undefined]);
    expect(allowedActions(recovery).map((a) => operator.denied(actionPermission(recovery, a)))).toEqual([
      "Needs the recovery_manager role (permission recoveries:operate)",
      "Needs the recovery_manager role (permission recoveries:operate)",
    ]);
  });

  it("asks the terminate permission of the execution's type", () => {
    const done = (type: "DRILL" | "RECOVERY") => execution(type, "COMPLETED");
    expect(actionPermission(done("DRILL"), "terminate-instances")).toBe("drills:terminate");
    expect(actionPermission(done("RECOVERY"), "terminate-instances")).toBe("recoveries:terminate");
    expect(accessFor(userOf("viewer")).denied("drills:terminate")).toBe("Needs the operator role (permission drills:terminate)");
    expect(accessFor(userOf("recovery_manager")).can("recoveries:terminate")).toBe(true);
  });
});
