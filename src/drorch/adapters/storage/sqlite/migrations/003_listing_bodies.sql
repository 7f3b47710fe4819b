-- Server bodies now carry the computed replication_healthy flag, so list pages send the
-- stored JSON as it is. CONTINUOUS is the one healthy state (domain HEALTHY_REPLICATION).
UPDATE source_servers
SET body = json_set(
    body,
    '$.replication_healthy',
    json(CASE WHEN replication_state = 'CONTINUOUS' THEN 'true' ELSE 'false' END)
)
WHERE json_extract(body, '$.replication_healthy') IS NULL
