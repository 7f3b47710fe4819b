-- Cheaper per-row work for filtered server listings.
-- Tags and memberships become WITHOUT ROWID tables, so a lookup by server id is one B-tree
-- descent; memberships carry the group's name, so a listing names each server's group
-- with one lookup; the hostname index carries the scope and state columns, so walks in
-- hostname order test those filters without reading table rows.
CREATE TABLE server_tags_new (
    server_id TEXT NOT NULL REFERENCES source_servers (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (server_id, key)
) WITHOUT ROWID;
INSERT INTO server_tags_new SELECT server_id, key, value FROM server_tags;
DROP TABLE server_tags;
ALTER TABLE server_tags_new RENAME TO server_tags;
CREATE INDEX ix_server_tags_kv ON server_tags (key, value);

-- The primary key enforces "a source server belongs to at most one group".
CREATE TABLE group_members_new (
    server_id TEXT PRIMARY KEY,
    group_id TEXT NOT NULL REFERENCES protection_groups (id) ON DELETE CASCADE,
    group_name TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO group_members_new
    SELECT m.server_id, m.group_id, g.name
    FROM group_members m JOIN protection_groups g ON g.id = m.group_id;
DROP TABLE group_members;
ALTER TABLE group_members_new RENAME TO group_members;
CREATE INDEX ix_group_members_group ON group_members (group_id);

DROP INDEX ix_servers_hostname;
CREATE INDEX ix_servers_hostname
    ON source_servers (hostname_lower, id, account_id, region, replication_state);
