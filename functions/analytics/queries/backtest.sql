-- The scoring back-test's input: every event of the window once (rows may repeat under at-least-once
-- delivery), with the person it belongs to (merges followed up to maxMergeHops = 5, as reports do in
-- reports/_events.sql), grouped by person and oldest first, at most {{limit}} rows.
WITH
merges AS (
  SELECT from_id, max_by(to_id, ts) AS to_id
  FROM identity
  WHERE kind = 'merge' AND from_id <> to_id
  GROUP BY from_id
),
survivors AS (
  SELECT m1.from_id AS id, coalesce(m5.to_id, m4.to_id, m3.to_id, m2.to_id, m1.to_id) AS person
  FROM merges m1
  LEFT JOIN merges m2 ON m2.from_id = m1.to_id
  LEFT JOIN merges m3 ON m3.from_id = m2.to_id
  LEFT JOIN merges m4 ON m4.from_id = m3.to_id
  LEFT JOIN merges m5 ON m5.from_id = m4.to_id
),
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
