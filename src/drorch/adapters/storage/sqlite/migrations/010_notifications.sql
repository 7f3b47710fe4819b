-- IF NOT EXISTS throughout: tests roll older files back and migrate them again.
-- Notification channels and subscriptions (JSON documents), the delivery outbox with one
-- row per attempt, the timeline feed's read position and the stuck-execution episodes.
CREATE TABLE IF NOT EXISTS notification_channels (
    id TEXT PRIMARY KEY,
    name_lower TEXT NOT NULL UNIQUE,
    enabled INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    body TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS notification_subscriptions (
    id TEXT PRIMARY KEY,
    channel_id TEXT NOT NULL REFERENCES notification_channels (id) ON DELETE CASCADE,
    plan_id TEXT,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_subscriptions_channel ON notification_subscriptions (channel_id);

-- The outbox: a row per (channel, event); the unique dedupe key makes raising twice harmless.
-- A worker sends a row only while its lease (owner, until) holds.
CREATE TABLE IF NOT EXISTS notification_deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    channel_id TEXT NOT NULL,
    dedupe_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    plan_id TEXT,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    next_attempt_at TEXT,
    lease_owner TEXT,
    lease_until TEXT,
    body TEXT NOT NULL,
    UNIQUE (channel_id, dedupe_key)
);
CREATE INDEX IF NOT EXISTS ix_deliveries_due ON notification_deliveries (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS ix_deliveries_subject ON notification_deliveries (subject_id);

CREATE TABLE IF NOT EXISTS notification_attempts (
    delivery_id TEXT NOT NULL REFERENCES notification_deliveries (id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (delivery_id, n)
);

-- How far the dispatcher has read the execution timelines (their rowid): it starts at the
-- end, so upgrading an existing store sends nothing about the past.
CREATE TABLE IF NOT EXISTS notification_feeds (
    name TEXT PRIMARY KEY,
    position INTEGER NOT NULL
);
INSERT OR IGNORE INTO notification_feeds (name, position)
    SELECT 'timeline', COALESCE(MAX(rowid), 0) FROM execution_events;

-- An open episode (e.g. `stuck:<execution id>`) has been notified once already.
CREATE TABLE IF NOT EXISTS notification_episodes (
    key TEXT PRIMARY KEY,
    opened_at TEXT NOT NULL
);
