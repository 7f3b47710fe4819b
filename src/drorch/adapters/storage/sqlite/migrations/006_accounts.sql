-- IF NOT EXISTS throughout: tests roll older files back and migrate them again.
-- Target accounts drorch reaches through an assumed role; the body is the JSON document.
CREATE TABLE IF NOT EXISTS target_accounts (
    id TEXT PRIMARY KEY,
    name_lower TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    body TEXT NOT NULL
);
