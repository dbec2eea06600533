-- Paths: the page read next after `after` (kind 'next'), and the first pages of sessions in which the
-- `goal` event happened (kind 'sequence'), most common first.
WITH
{{> persons}},
{{> events_by_person}},
{{> sessions}},
views AS (
  SELECT session_id, path, ts,
    row_number() OVER (PARTITION BY session_id ORDER BY ts, message_id) AS pos,
    lead(path) OVER (PARTITION BY session_id ORDER BY ts, message_id) AS next_path
  FROM ev_s
  WHERE type = 'page' AND path IS NOT NULL
),
after_views AS (
  -- Page views at `after` (a glob), with the page viewed next in the session; '(exit)' when none.
  SELECT coalesce(next_path, '(exit)') AS next_path FROM views
  WHERE {{after_pattern}} IS NOT NULL AND regexp_like(path, {{after_pattern}})
),
next_pages AS (
  SELECT 'next' AS kind, next_path AS value, count(*) AS sessions,
    CAST(count(*) AS double) / sum(count(*)) OVER () AS share
  FROM after_views
  GROUP BY next_path
),
goals AS (
  -- The first goal event of each session that has one.
  SELECT sb.session_id, min(g.ts) AS goal_ts
  FROM ev g
  JOIN session_buckets sb ON sb.person = g.person AND sb.bucket = g.ts - g.ts % {{session_gap_ms}}
  WHERE g.type = 'track' AND g.event = {{goal}}
  GROUP BY sb.session_id
),
sequences AS (
  -- The first `steps` pages viewed before the goal.
  SELECT g.session_id, coalesce(nullif(array_join(array_agg(v.path ORDER BY v.pos), ' > '), ''), '(no page)') AS value
  FROM goals g
  LEFT JOIN views v ON v.session_id = g.session_id AND v.ts <= g.goal_ts AND v.pos <= {{steps}}
  GROUP BY g.session_id
),
top_sequences AS (
  SELECT 'sequence' AS kind, value, count(*) AS sessions,
    CAST(count(*) AS double) / sum(count(*)) OVER () AS share
  FROM sequences
  GROUP BY value
)
SELECT kind, value, sessions, round(share, 4) AS share FROM (
  SELECT kind, value, sessions, share FROM (SELECT * FROM next_pages ORDER BY sessions DESC, value LIMIT {{limit}}) n
  UNION ALL
  SELECT kind, value, sessions, share FROM (SELECT * FROM top_sequences ORDER BY sessions DESC, value LIMIT {{limit}}) s
) r
ORDER BY kind, sessions DESC, value
