-- IF NOT EXISTS throughout: tests roll older files back and migrate them again.
-- Local users, their sessions (refresh-token families), API tokens, sign-in failure
-- counters and the append-only audit log.
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    username_lower TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL,
    password_hash TEXT NOT NULL,
    body TEXT NOT NULL
);

-- One row per issued refresh token; a sign-in starts a family, each refresh adds a row.
CREATE TABLE IF NOT EXISTS refresh_tokens (
    id TEXT PRIMARY KEY,
    family_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    secret_hash TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX IF NOT EXISTS ix_refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE IF NOT EXISTS api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    secret_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_api_tokens_user ON api_tokens (user_id, created_at);

-- Failures in the current window per key (`user:<name>` or `client:<address>`).
CREATE TABLE IF NOT EXISTS sign_in_failures (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    first_at TEXT NOT NULL,
    locked_until TEXT
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    at TEXT NOT NULL,
    principal TEXT,
    username TEXT,
    role TEXT,
    source TEXT,
    action TEXT NOT NULL,
    target_type TEXT,
    target_id TEXT,
    outcome TEXT NOT NULL,
    status INTEGER,
    request_id TEXT,
    client TEXT,
    comment TEXT,
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_audit_at ON audit_log (at);
CREATE INDEX IF NOT EXISTS ix_audit_action ON audit_log (action, seq);
CREATE INDEX IF NOT EXISTS ix_audit_principal ON audit_log (principal, seq);
CREATE INDEX IF NOT EXISTS ix_audit_target ON audit_log (target_type, target_id, seq);

-- Nobody edits or deletes the log, whatever code runs against the database.
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
