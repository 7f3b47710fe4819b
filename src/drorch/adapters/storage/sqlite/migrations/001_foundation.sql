-- Inventory, protection groups and recovery plans.
CREATE TABLE source_servers (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    hostname TEXT NOT NULL,
    hostname_lower TEXT NOT NULL,
    replication_state TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX ix_servers_scope ON source_servers (account_id, region);
CREATE INDEX ix_servers_hostname ON source_servers (hostname_lower, id);
CREATE INDEX ix_servers_state ON source_servers (replication_state, id);

CREATE TABLE server_tags (
    server_id TEXT NOT NULL REFERENCES source_servers (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (server_id, key)
);
CREATE INDEX ix_server_tags_kv ON server_tags (key, value);

CREATE TABLE protection_groups (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_lower TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX ix_groups_created ON protection_groups (created_at, id);

-- The primary key enforces "a source server belongs to at most one group".
CREATE TABLE group_members (
    server_id TEXT PRIMARY KEY,
    group_id TEXT NOT NULL REFERENCES protection_groups (id) ON DELETE CASCADE
);
CREATE INDEX ix_group_members_group ON group_members (group_id);

CREATE TABLE recovery_plans (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_lower TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX ix_plans_created ON recovery_plans (created_at, id);

CREATE TABLE plan_groups (
    plan_id TEXT NOT NULL REFERENCES recovery_plans (id) ON DELETE CASCADE,
    group_id TEXT NOT NULL,
    PRIMARY KEY (plan_id, group_id)
);
CREATE INDEX ix_plan_groups_group ON plan_groups (group_id);
