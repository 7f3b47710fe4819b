-- IF NOT EXISTS throughout: tests roll older files back and migrate them again.
-- Schedules as JSON documents; next_due_at (UTC, fixed-width text) is the scheduler's own
-- column, outside the versioned body, so a run never makes a person's edit stale. NULL
-- means nothing is due: disabled, or a one-off that has run.
CREATE TABLE IF NOT EXISTS schedules (
    id TEXT PRIMARY KEY,
    name_lower TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    next_due_at TEXT,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS schedules_due ON schedules (next_due_at) WHERE next_due_at IS NOT NULL;
-- One row per due time: the UNIQUE pair is the claim, so each run is taken exactly once.
CREATE TABLE IF NOT EXISTS schedule_runs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    schedule_id TEXT NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    due_at TEXT NOT NULL,
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (schedule_id, due_at)
);
