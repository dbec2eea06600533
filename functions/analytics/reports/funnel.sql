-- Funnel: people who reached each step in order, each step after the previous one and within `within`
-- of the first; conversion, drop-off and the median time between consecutive steps.
WITH
{{> persons}},
{{> events_by_person}},
steps AS (
  -- (step, kind, pattern, label): kind 'page' matches page views whose path matches the pattern (a glob as
  -- a regular expression), kind 'event' track events of that name.
  SELECT step, kind, pattern, label FROM {{steps}}
),
step_paths AS (
  -- Page steps matched once per distinct path.
  SELECT p.path, s.step
  FROM (SELECT DISTINCT path FROM ev WHERE type = 'page' AND path IS NOT NULL) p
  JOIN steps s ON s.kind = 'page' AND regexp_like(p.path, s.pattern)
),
hits AS (
  SELECT DISTINCT ev.person, sp.step, ev.ts FROM ev JOIN step_paths sp ON sp.path = ev.path WHERE ev.type = 'page'
  UNION
  SELECT DISTINCT ev.person, s.step, ev.ts FROM ev JOIN steps s ON s.kind = 'event' AND s.pattern = ev.event WHERE ev.type = 'track'
),
-- A person enters at their first step-1 event in the window; each next step is the first matching event
-- after the previous step and at most `within` after the entry (the earliest match leaves the most room for
-- the steps after it). The chain is written out for maxFunnelSteps = 6; steps not asked for have no hits.
f1 AS (SELECT person, min(ts) AS t1 FROM hits WHERE step = 1 GROUP BY person),
f2 AS (
  SELECT f.person, f.t1, min(h.ts) AS t2
  FROM f1 f
  LEFT JOIN hits h ON h.person = f.person AND h.step = 2 AND h.ts > f.t1 AND h.ts <= f.t1 + {{within_ms}}
  GROUP BY f.person, f.t1
),
f3 AS (
  SELECT f.person, f.t1, f.t2, min(h.ts) AS t3
  FROM f2 f
  LEFT JOIN hits h ON h.person = f.person AND h.step = 3 AND h.ts > f.t2 AND h.ts <= f.t1 + {{within_ms}}
  GROUP BY f.person, f.t1, f.t2
),
f4 AS (
  SELECT f.person, f.t1, f.t2, f.t3, min(h.ts) AS t4
  FROM f3 f
  LEFT JOIN hits h ON h.person = f.person AND h.step = 4 AND h.ts > f.t3 AND h.ts <= f.t1 + {{within_ms}}
  GROUP BY f.person, f.t1, f.t2, f.t3
),
f5 AS (
  SELECT f.person, f.t1, f.t2, f.t3, f.t4, min(h.ts) AS t5
  FROM f4 f
  LEFT JOIN hits h ON h.person = f.person AND h.step = 5 AND h.ts > f.t4 AND h.ts <= f.t1 + {{within_ms}}
  GROUP BY f.person, f.t1, f.t2, f.t3, f.t4
),
f6 AS (
  SELECT f.person, f.t1, f.t2, f.t3, f.t4, f.t5, min(h.ts) AS t6
  FROM f5 f
  LEFT JOIN hits h ON h.person = f.person AND h.step = 6 AND h.ts > f.t5 AND h.ts <= f.t1 + {{within_ms}}
  GROUP BY f.person, f.t1, f.t2, f.t3, f.t4, f.t5
),
reached AS (
  SELECT n.step, CASE n.step WHEN 1 THEN f.t1 WHEN 2 THEN f.t2 WHEN 3 THEN f.t3 WHEN 4 THEN f.t4 WHEN 5 THEN f.t5 WHEN 6 THEN f.t6 END AS step_ts, CASE n.step WHEN 2 THEN f.t1 WHEN 3 THEN f.t2 WHEN 4 THEN f.t3 WHEN 5 THEN f.t4 WHEN 6 THEN f.t5 END AS prev_ts
  FROM f6 f
  CROSS JOIN (VALUES (1), (2), (3), (4), (5), (6)) AS n(step)
  WHERE n.step <= {{step_count}}
),
gaps AS (
  SELECT step, step_ts - prev_ts AS gap,
    row_number() OVER (PARTITION BY step ORDER BY step_ts - prev_ts) AS rn,
    count(*) OVER (PARTITION BY step) AS n
  FROM reached
  WHERE step_ts IS NOT NULL AND prev_ts IS NOT NULL
),
medians AS (
  -- Exact median (the middle value, or the mean of the two middle ones).
  SELECT step, avg(CAST(gap AS double)) AS median_ms FROM gaps WHERE rn * 2 BETWEEN n AND n + 2 GROUP BY step
),
counts AS (
  SELECT step, count(step_ts) AS people FROM reached GROUP BY step
),
entered AS (
  SELECT people FROM counts WHERE step = 1
)
SELECT s.step, s.kind, s.label, c.people,
  round(CAST(c.people AS double) / nullif(e.people, 0), 4) AS conversion,
  round(CAST(c.people AS double) / nullif(p.people, 0), 4) AS from_previous,
  p.people - c.people AS drop_off,
  round(m.median_ms / 1000, 1) AS median_seconds_from_previous
FROM steps s
JOIN counts c ON c.step = s.step
CROSS JOIN entered e
LEFT JOIN counts p ON p.step = s.step - 1
LEFT JOIN medians m ON m.step = s.step
ORDER BY s.step
