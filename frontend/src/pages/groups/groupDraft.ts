/** The group form's state and its conversion to and from the API shapes. */
import type {
  LaunchDefaults,
  ProtectionGroup,
  ProtectionGroupDraft,
  ServerOverride,
} from "../../api/types";

export type SelectionMode = "servers" | "tags";

export interface TagRow {
  key: string;
  value: string;
}

export interface OverrideRow {
  instance_type: string;
  static_private_ip: string;
  subnet_id: string;
  optional: boolean;
}

export interface LaunchState {
  subnet_id: string;
  subnet_cidr: string;
  security_group_ids: string;
  instance_type: string;
  right_sizing: LaunchDefaults["right_sizing"];
  copy_private_ip: boolean;
  copy_tags: boolean;
  byol: boolean;
  launch_disposition: LaunchDefaults["launch_disposition"];
}

export interface GroupFormState {
  name: string;
  description: string;
  account_id: string;
  region: string;
  mode: SelectionMode;
  serverIds: string[];
  tags: TagRow[];
  launch: LaunchState;
  overrides: Record<string, OverrideRow>;
}

export const EMPTY_LAUNCH: LaunchState = {
  subnet_id: "",
  subnet_cidr: "",
  security_group_ids: "",
  instance_type: "",
  right_sizing: "BASIC",
  copy_private_ip: false,
  copy_tags: true,
  byol: false,
  launch_disposition: "STARTED",
};

export const EMPTY_OVERRIDE: OverrideRow = {
  instance_type: "",
  static_private_ip: "",
  subnet_id: "",
  optional: false,
};

export function emptyGroup(): GroupFormState {
  return {
    name: "",
    description: "",
    account_id: "",
    region: "",
    mode: "tags",
    serverIds: [],
    tags: [{ key: "", value: "" }],
    launch: { ...EMPTY_LAUNCH },
    overrides: {},
  };
}

const orNull = (text: string): string | null => (text.trim() ? text.trim() : null);

function splitIds(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function overrideIsEmpty(row: OverrideRow): boolean {
  return !row.instance_type.trim() && !row.static_private_ip.trim() && !row.subnet_id.trim() && !row.optional;
}

function toOverride(row: OverrideRow): ServerOverride {
  return {
    instance_type: orNull(row.instance_type),
    static_private_ip: orNull(row.static_private_ip),
    subnet_id: orNull(row.subnet_id),
    optional: row.optional,
  };
}

/** The selection as the API wants it: exactly one of server_ids or tags. */
export function toSelection(state: GroupFormState): ProtectionGroupDraft["selection"] {
  if (state.mode === "servers") return { server_ids: state.serverIds };
  const tags: Record<string, string> = {};
  for (const row of state.tags) if (row.key.trim()) tags[row.key.trim()] = row.value.trim();
  return { tags };
}

export function toDraft(state: GroupFormState): ProtectionGroupDraft {
  const overrides: Record<string, ServerOverride> = {};
  for (const [id, row] of Object.entries(state.overrides)) {
    if (!overrideIsEmpty(row)) overrides[id] = toOverride(row);
  }
  const l = state.launch;
  return {
    name: state.name.trim(),
    description: state.description,
    account_id: state.account_id.trim(),
    region: state.region.trim(),
    selection: toSelection(state),
    launch_defaults: {
      subnet_id: orNull(l.subnet_id),
      subnet_cidr: orNull(l.subnet_cidr),
      security_group_ids: splitIds(l.security_group_ids),
      instance_type: orNull(l.instance_type),
      right_sizing: l.right_sizing,
      copy_private_ip: l.copy_private_ip,
      copy_tags: l.copy_tags,
      byol: l.byol,
      launch_disposition: l.launch_disposition,
    },
    server_overrides: overrides,
  };
}

function fromOverride(o: ServerOverride): OverrideRow {
  return {
    instance_type: o.instance_type ?? "",
    static_private_ip: o.static_private_ip ?? "",
    subnet_id: o.subnet_id ?? "",
    optional: o.optional ?? false,
  };
}

export function fromGroup(group: ProtectionGroup): GroupFormState {
  const l = group.launch_defaults;
  // The generated type of `selection` is the spec's union, {server_ids} | {tags} (the API
  // sends only the chosen key), so `in` narrows it: no casts or runtime checks needed.
  const { selection } = group;
  const tags = "tags" in selection ? selection.tags : null;
  const overrides: Record<string, OverrideRow> = {};
  for (const [id, o] of Object.entries(group.server_overrides)) overrides[id] = fromOverride(o);
  return {
    name: group.name,
    description: group.description,
    account_id: group.account_id,
    region: group.region,
    mode: tags ? "tags" : "servers",
    serverIds: "server_ids" in selection ? selection.server_ids : [],
    tags: tags ? Object.entries(tags).map(([key, value]) => ({ key, value })) : [{ key: "", value: "" }],
    launch: {
      subnet_id: l.subnet_id ?? "",
      subnet_cidr: l.subnet_cidr ?? "",
      security_group_ids: (l.security_group_ids ?? []).join(", "),
      instance_type: l.instance_type ?? "",
      right_sizing: l.right_sizing,
      copy_private_ip: l.copy_private_ip,
      copy_tags: l.copy_tags,
      byol: l.byol,
      launch_disposition: l.launch_disposition,
    },
    overrides,
  };
}

/** True when the selection can be previewed (scope known, something selected). */
export function canPreview(state: GroupFormState): boolean {
  if (!/^[0-9]{12}$/.test(state.account_id.trim())) return false;
  if (!/^[a-z]{2}(-[a-z]+)+-[0-9]$/.test(state.region.trim())) return false;
  if (state.mode === "servers") return state.serverIds.length > 0;
  return state.tags.some((t) => t.key.trim());
}
