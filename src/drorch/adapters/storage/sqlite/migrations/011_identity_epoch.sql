-- IF NOT EXISTS throughout: tests roll older files back and migrate them again.
-- One counter that every change able to narrow someone's access moves: a user edited,
-- disabled or deleted, an API token revoked, a session refreshed or ended. The API keeps
-- the principals of recently checked tokens while the counter stands still; triggers keep
-- it exact whichever process (API, CLI on the data dir, a restore) writes.
CREATE TABLE IF NOT EXISTS identity_epoch (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    epoch INTEGER NOT NULL
);
INSERT OR IGNORE INTO identity_epoch VALUES (1, 0);

CREATE TRIGGER IF NOT EXISTS identity_epoch_user_update AFTER UPDATE ON users
BEGIN
    UPDATE identity_epoch SET epoch = epoch + 1 WHERE id = 1;
END;
CREATE TRIGGER IF NOT EXISTS identity_epoch_user_delete AFTER DELETE ON users
BEGIN
    UPDATE identity_epoch SET epoch = epoch + 1 WHERE id = 1;
END;
CREATE TRIGGER IF NOT EXISTS identity_epoch_api_token_update AFTER UPDATE ON api_tokens
BEGIN
    UPDATE identity_epoch SET epoch = epoch + 1 WHERE id = 1;
END;
CREATE TRIGGER IF NOT EXISTS identity_epoch_api_token_delete AFTER DELETE ON api_tokens
BEGIN
    UPDATE identity_epoch SET epoch = epoch + 1 WHERE id = 1;
END;
CREATE TRIGGER IF NOT EXISTS identity_epoch_refresh_update AFTER UPDATE ON refresh_tokens
BEGIN
    UPDATE identity_epoch SET epoch = epoch + 1 WHERE id = 1;
END;
CREATE TRIGGER IF NOT EXISTS identity_epoch_refresh_delete AFTER DELETE ON refresh_tokens
BEGIN
    UPDATE identity_epoch SET epoch = epoch + 1 WHERE id = 1;
END;
