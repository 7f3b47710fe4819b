-- Each group's sorted member ids as one JSON array, written with the membership
-- (SqliteGroups.set_members): a listing page splices it into each group's body (one
-- primary-key lookup) instead of aggregating group_members once per row, which cost three
-- quarters of the page.
CREATE TABLE IF NOT EXISTS group_member_lists (
    group_id TEXT PRIMARY KEY REFERENCES protection_groups (id) ON DELETE CASCADE,
    members TEXT NOT NULL
) WITHOUT ROWID;

INSERT OR REPLACE INTO group_member_lists (group_id, members)
SELECT g.id, (
    SELECT json_group_array(server_id) FROM (
        SELECT server_id FROM group_members WHERE group_id = g.id ORDER BY server_id
    )
) FROM protection_groups g;
