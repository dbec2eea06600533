-- Pages by path (or by the `group` globs): page views, visitors, dwell time, entry and exit rates.
WITH
{{> persons}},
{{> events_by_person}},
{{> sessions}},
page_groups AS (
  -- (label, pattern) per glob; one row of NULLs when no glob is given: every path is its own group.
  SELECT label, pattern FROM {{groups}}
),
numbered AS (
  -- Page views and heartbeats numbered by the session's page views up to them (the person's page views up
  -- to them less those before the session): a page view and the heartbeats up to the next page view
  -- share its number. One sort of the person's events, with no session ids yet.
  SELECT sb.session_id, n.person, n.type, n.path, n.seconds, n.pages_so_far - sb.session_pages_before AS view_no
  FROM (
    SELECT person, type, path, seconds, ts,
      sum(CASE WHEN type = 'page' THEN 1 ELSE 0 END) OVER (
        PARTITION BY person ORDER BY ts, CASE WHEN type = 'page' THEN 0 ELSE 1 END, message_id
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS pages_so_far
    FROM ev
    WHERE type = 'page' OR (type = 'track' AND event = 'Page Ping')
  ) n
  JOIN session_buckets sb ON sb.person = n.person AND sb.bucket = n.ts - n.ts % {{session_gap_ms}}
),
views AS (
  -- Each page view with its dwell: grouped by session, view number and path, a view's page row and the
  -- heartbeats on its path fall in one group (a session has one page row per view number), heartbeats on
  -- other paths in groups without a page row, which are left out.
  SELECT session_id, person, view_no, path, coalesce(sum(CASE WHEN type = 'track' THEN seconds END), 0) AS seconds
  FROM numbered
  WHERE path IS NOT NULL
  GROUP BY session_id, person, view_no, path
  HAVING max(CASE WHEN type = 'page' THEN 1 ELSE 0 END) = 1
),
edges AS (
  SELECT session_id, min(view_no) AS first_view, max(view_no) AS last_view FROM views GROUP BY session_id
),
path_groups AS (
  -- A path counts in every group whose glob it matches (patterns tried once per distinct path; a glob
  -- given twice is one group).
  SELECT DISTINCT p.path, coalesce(g.label, p.path) AS page
  FROM (SELECT DISTINCT path FROM views) p
  JOIN page_groups g ON g.pattern IS NULL OR regexp_like(p.path, g.pattern)
),
grouped AS (
  SELECT pg.page, v.session_id, v.person, v.seconds,
    CASE WHEN v.view_no = e.first_view THEN 1 ELSE 0 END AS is_entry,
    CASE WHEN v.view_no = e.last_view THEN 1 ELSE 0 END AS is_exit
  FROM views v
  JOIN edges e ON e.session_id = v.session_id
  JOIN path_groups pg ON pg.path = v.path
),
dwell_counts AS (
  -- Dwell times take few distinct values, so the exact median is found among (page, seconds, views) rows
  -- rather than by ranking every view: `upto` views have at most `seconds`; the median is the mean of the
  -- values at positions lo = floor((n + 1) / 2) and hi = floor(n / 2) + 1 (the same one when n is odd).
  SELECT page, seconds, views,
    sum(views) OVER (PARTITION BY page ORDER BY seconds ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS upto,
    floor((sum(views) OVER (PARTITION BY page) + 1) / 2.0) AS lo,
    floor(sum(views) OVER (PARTITION BY page) / 2.0) + 1 AS hi
  FROM (SELECT page, seconds, count(*) AS views FROM grouped GROUP BY page, seconds) d
),
medians AS (
  SELECT page,
    (min(CASE WHEN upto - views < lo AND lo <= upto THEN seconds END) + min(CASE WHEN upto - views < hi AND hi <= upto THEN seconds END)) / 2 AS median_seconds
  FROM dwell_counts
  GROUP BY page
),
totals AS (
  -- A session has one first and one last page view, so entries and exits are counts of views, not of
  -- distinct sessions.
  SELECT page,
    count(*) AS page_views,
    count(DISTINCT person) AS visitors,
    avg(seconds) AS avg_seconds,
    count(DISTINCT session_id) AS sessions,
    sum(is_entry) AS entries,
    sum(is_exit) AS exits
  FROM grouped
  GROUP BY page
)
SELECT t.page, t.page_views, t.visitors,
  round(t.avg_seconds, 1) AS avg_dwell_seconds,
  round(m.median_seconds, 1) AS median_dwell_seconds,
  t.sessions, t.entries, t.exits,
  round(CAST(t.entries AS double) / t.sessions, 4) AS entry_rate,
  round(CAST(t.exits AS double) / t.sessions, 4) AS exit_rate
FROM totals t
JOIN medians m ON m.page = t.page
ORDER BY t.page_views DESC, t.page
LIMIT {{limit}}
