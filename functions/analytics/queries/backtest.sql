-- The scoring back-test's input: every event of the window once (rows may repeat under at-least-once
-- delivery), with the person it belongs to (merges followed up to maxMergeHops = 5, as reports do in
-- reports/_persons.sql), grouped by person and oldest first, at most {{limit}} rows.
WITH
{{> persons}},
events_once AS (
  SELECT message_id, profile_id, type, event, name, path, properties, ts
  FROM (
    SELECT e.*, row_number() OVER (PARTITION BY message_id ORDER BY received, profile_id) AS copy_no
    FROM events e
    WHERE dt BETWEEN {{from_dt}} AND {{to_dt}}
  ) copies
  WHERE copy_no = 1
)
SELECT coalesce(s.person, e.profile_id) AS person, e.message_id, e.type, e.event, e.name, e.path, e.properties, e.ts
FROM events_once e
LEFT JOIN survivors s ON s.id = e.profile_id
ORDER BY person, e.ts, e.message_id
LIMIT {{limit}}
