-- IF NOT EXISTS throughout: tests roll older files back and migrate them again.
-- Readiness runs of recovery plans with their findings (JSON); `seq` orders the history.
CREATE TABLE IF NOT EXISTS readiness_runs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    plan_id TEXT NOT NULL,
    status TEXT NOT NULL,
    trigger TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_readiness_runs_plan ON readiness_runs (plan_id, seq);

-- A deleted plan takes its readiness history with it.
CREATE TRIGGER IF NOT EXISTS tr_readiness_runs_plan_deleted
AFTER DELETE ON recovery_plans
BEGIN
    DELETE FROM readiness_runs WHERE plan_id = OLD.id;
END;
