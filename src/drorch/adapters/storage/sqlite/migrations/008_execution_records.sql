-- Executions split into records, so an engine pass writes only what changed:
-- executions.body keeps the header (no snapshot, waves or batches any more).
CREATE TABLE IF NOT EXISTS execution_snapshots (
    execution_id TEXT PRIMARY KEY REFERENCES executions (id) ON DELETE CASCADE,
    body TEXT NOT NULL
);

-- Written once at start, in snapshot order.
CREATE TABLE IF NOT EXISTS execution_snapshot_servers (
    execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (execution_id, position)
);

CREATE TABLE IF NOT EXISTS execution_waves (
    execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (execution_id, name)
);

-- One row per server run; `position` is its wave's position, then its place in the wave.
CREATE TABLE IF NOT EXISTS execution_servers (
    execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    source_server_id TEXT NOT NULL,
    wave TEXT NOT NULL,
    position INTEGER NOT NULL,
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (execution_id, source_server_id)
);
CREATE INDEX IF NOT EXISTS ix_execution_servers_order ON execution_servers (execution_id, position);

CREATE TABLE IF NOT EXISTS execution_batches (
    execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    batch_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    state TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (execution_id, batch_id)
);

-- "One active execution per server": a conditional insert of one row per server.
CREATE TABLE IF NOT EXISTS execution_claims (
    source_server_id TEXT PRIMARY KEY,
    execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS ix_execution_claims_execution ON execution_claims (execution_id);

-- Quota capacity per account and Region: reservations are conditioned on this version.
CREATE TABLE IF NOT EXISTS execution_capacity (
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (account_id, region)
);

-- Existing executions move into the new layout.
INSERT OR IGNORE INTO execution_snapshots
SELECT id, json_remove(json_extract(body, '$.snapshot'), '$.servers') FROM executions;

INSERT OR IGNORE INTO execution_snapshot_servers
SELECT e.id, s.key, s.value FROM executions e, json_each(e.body, '$.snapshot.servers') s;

INSERT OR IGNORE INTO execution_waves
SELECT e.id, json_extract(w.value, '$.name'), w.key, json_extract(w.value, '$.status'),
       json_remove(w.value, '$.servers')
FROM executions e, json_each(e.body, '$.waves') w;

INSERT OR IGNORE INTO execution_servers
SELECT e.id, json_extract(s.value, '$.source_server_id'), json_extract(w.value, '$.name'),
       w.key * 1000000 + s.key, json_extract(s.value, '$.status'), s.value
FROM executions e, json_each(e.body, '$.waves') w, json_each(w.value, '$.servers') s;

INSERT OR IGNORE INTO execution_batches
SELECT e.id, json_extract(b.value, '$.batch_id'), b.key, json_extract(b.value, '$.state'), b.value
FROM executions e, json_each(e.body, '$.batches') b;

INSERT OR IGNORE INTO execution_claims
SELECT s.source_server_id, s.execution_id
FROM execution_servers s JOIN executions e ON e.id = s.execution_id WHERE e.active = 1;

UPDATE executions SET body = json_remove(body, '$.snapshot', '$.waves', '$.batches');
