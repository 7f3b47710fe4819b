-- Launch-settings records leave the intent and server rows they made large: an engine
-- pass changes an intent's state or a server's launch status without rewriting them.

-- One row per intent that carries launch settings: the JSON array of its records.
CREATE TABLE IF NOT EXISTS execution_intent_settings (
    batch_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (batch_id, attempt),
    FOREIGN KEY (batch_id, attempt) REFERENCES execution_intents (batch_id, attempt)
        ON DELETE CASCADE
);

INSERT INTO execution_intent_settings (batch_id, attempt, body)
SELECT batch_id, attempt, json_extract(body, '$.launch_settings') FROM execution_intents
WHERE json_array_length(body, '$.launch_settings') > 0;

UPDATE execution_intents SET body = json_remove(body, '$.launch_settings')
WHERE json_type(body, '$.launch_settings') IS NOT NULL;

-- One row per server run whose launch settings are recorded: the server's latest record.
CREATE TABLE IF NOT EXISTS execution_server_settings (
    execution_id TEXT NOT NULL,
    source_server_id TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (execution_id, source_server_id),
    FOREIGN KEY (execution_id, source_server_id)
        REFERENCES execution_servers (execution_id, source_server_id) ON DELETE CASCADE
);

INSERT INTO execution_server_settings (execution_id, source_server_id, body)
SELECT execution_id, source_server_id, json_extract(body, '$.launch_settings')
FROM execution_servers WHERE json_type(body, '$.launch_settings') = 'object';

UPDATE execution_servers SET body = json_remove(body, '$.launch_settings')
WHERE json_type(body, '$.launch_settings') IS NOT NULL;
