-- Repeat visitors: people with at least `visits` sessions starting within `days` days of each other (only
-- sessions that viewed `path`, when given), and without the `without` event in the window.
WITH
{{> persons}},
{{> events_by_person}},
{{> sessions}},
sessions AS (
  SELECT person, session_id, min(first_ts) AS start_ts, max(last_ts) AS last_ts FROM session_buckets GROUP BY person, session_id
),
viewed AS (
  -- Sessions with a page view at `path`, when one is given.
  SELECT DISTINCT session_id FROM ev_s WHERE {{path_pattern}} IS NOT NULL AND type = 'page' AND regexp_like(path, {{path_pattern}})
),
counted AS (
  SELECT person, session_id, start_ts, last_ts FROM sessions
  WHERE {{path_pattern}} IS NULL OR session_id IN (SELECT session_id FROM viewed)
),
spans AS (
  -- A person qualifies when some session is followed by `visits` - 1 more within `days` days: the
  -- (visits - 1)-th next session starts less than `days` days after it.
  SELECT person, start_ts, lead(start_ts, {{visits_after_first}}) OVER (PARTITION BY person ORDER BY start_ts, session_id) AS nth_start
  FROM counted
),
qualified AS (
  SELECT DISTINCT person FROM spans WHERE nth_start - start_ts < {{days_ms}}
),
excluded AS (
  SELECT DISTINCT person FROM ev WHERE type = 'track' AND event = {{without}}
),
visit_counts AS (
  SELECT person, count(*) AS visits FROM counted GROUP BY person
),
last_seen AS (
  -- The person's last event in the window, in any session.
  SELECT person, max(last_ts) AS last_seen_ms FROM sessions GROUP BY person
),
members AS (
  SELECT q.person, v.visits, l.last_seen_ms
  FROM qualified q
  JOIN visit_counts v ON v.person = q.person
  JOIN last_seen l ON l.person = q.person
  LEFT JOIN excluded x ON x.person = q.person
  WHERE x.person IS NULL
)
SELECT person AS profile_id, visits, last_seen_ms, count(*) OVER () AS members
FROM members
ORDER BY visits DESC, last_seen_ms DESC, profile_id
LIMIT {{limit}}
