-- IF NOT EXISTS throughout: tests roll older files back and migrate them again.
-- The Step Functions driver's task token per execution: the Sleep state stores it, a wake
-- (operator action, DRS event) sends it and clears it. At most one per execution.
CREATE TABLE IF NOT EXISTS execution_wake_tokens (
    execution_id TEXT PRIMARY KEY,
    token TEXT NOT NULL,
    stored_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
