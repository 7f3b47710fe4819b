import { describe, expect, it } from "vitest";
import { filterToQuery } from "./serverFilter";

describe("filterToQuery", () => {
  it("maps property tokens to the inventory API's query parameters", () => {
    const query = filterToQuery({
      operation: "and",
      tokens: [
        { propertyKey: "account_id", operator: "=", value: "111122223333" },
        { propertyKey: "tag", operator: "=", value: "Tier=db" },
        { propertyKey: "tag", operator: "=", value: "Application=storefront" },
        { propertyKey: "replication_state", operator: "=", value: "STALLED" },
        { propertyKey: "assigned", operator: "=", value: "false" },
        { operator: ":", value: "stor-" },
      ],
    });
    expect(query).toEqual({
      account_id: "111122223333",
      tag: ["Tier=db", "Application=storefront"],
      replication_state: "STALLED",
      assigned: false,
      search: "stor-",
    });
  });

  it("ignores empty tokens", () => {
    expect(filterToQuery({ operation: "and", tokens: [{ propertyKey: "region", operator: "=", value: " " }] })).toEqual({});
  });
});
