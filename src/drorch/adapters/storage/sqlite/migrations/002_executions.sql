-- Executions, timelines, operator commands, DRS intents, leases and due times.
CREATE TABLE executions (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    active INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    summary TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX ix_executions_created ON executions (created_at, id);
CREATE INDEX ix_executions_plan ON executions (plan_id, created_at);
CREATE INDEX ix_executions_active ON executions (active);

CREATE TABLE execution_events (
    execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (execution_id, seq)
);

CREATE TABLE execution_commands (
    execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (execution_id, seq)
);

-- Written before StartRecovery / TerminateRecoveryInstances; OPEN and STARTED rows hold
-- quota capacity in their account and Region for every execution.
CREATE TABLE execution_intents (
    batch_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    state TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (batch_id, attempt)
);
CREATE INDEX ix_intents_execution ON execution_intents (execution_id);
CREATE INDEX ix_intents_scope ON execution_intents (account_id, region, state);

-- RECOVERY executions waiting for capacity: drills leave the scope to them.
CREATE TABLE execution_waiting (
    execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    PRIMARY KEY (execution_id, account_id, region)
);

-- The due-time queue and the lease, one row per execution the engine still works on.
CREATE TABLE execution_schedule (
    execution_id TEXT PRIMARY KEY REFERENCES executions (id) ON DELETE CASCADE,
    due_at TEXT NOT NULL,
    lease_owner TEXT,
    lease_until TEXT
);
CREATE INDEX ix_schedule_due ON execution_schedule (due_at);
