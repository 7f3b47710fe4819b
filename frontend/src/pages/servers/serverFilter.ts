/** PropertyFilter tokens <-> query parameters of GET /source-servers. */
import type { PropertyFilterProps } from "@cloudscape-design/components/property-filter";
import type { Query } from "../../api/http";

export const REPLICATION_STATES = [
  "CONTINUOUS",
  "INITIAL_SYNC",
  "BACKLOG",
  "CREATING_SNAPSHOT",
  "INITIATING",
  "PAUSED",
  "RESCAN",
  "STALLED",
  "DISCONNECTED",
  "STOPPED",
];

export const FILTER_PROPERTIES: PropertyFilterProps.FilteringProperty[] = [
  { key: "hostname", propertyLabel: "Hostname", groupValuesLabel: "Hostnames", operators: [":"] },
  { key: "account_id", propertyLabel: "Account", groupValuesLabel: "Accounts", operators: ["="] },
  { key: "region", propertyLabel: "Region", groupValuesLabel: "Regions", operators: ["="] },
  {
    key: "replication_state",
    propertyLabel: "Replication state",
    groupValuesLabel: "Replication states",
    operators: ["="],
  },
  { key: "tag", propertyLabel: "Tag (key=value)", groupValuesLabel: "Tags", operators: ["="] },
  { key: "group_id", propertyLabel: "Protection group", groupValuesLabel: "Groups", operators: ["="] },
  { key: "assigned", propertyLabel: "Assigned to a group", groupValuesLabel: "Values", operators: ["="] },
];

/** The API query for a filter: AND of tokens; free text searches hostnames. */
export function filterToQuery(filter: PropertyFilterProps.Query): Query {
  const query: Query = {};
  const tags: string[] = [];
  for (const token of filter.tokens) {
    const value = String(token.value ?? "").trim();
    if (!value) continue;
    const key = token.propertyKey ?? "hostname";
    if (key === "tag") tags.push(value);
    else if (key === "hostname") query.search = value;
    else if (key === "assigned") query.assigned = value === "true" || value === "yes";
    else query[key] = value;
  }
  if (tags.length) query.tag = tags;
  return query;
}
