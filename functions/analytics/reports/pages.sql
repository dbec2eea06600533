-- Pages by path (or by the `group` globs): page views, visitors, dwell time, entry and exit rates.
WITH
{{> events_by_person}},
{{> sessions}},
page_groups AS (
  -- (label, pattern) per glob; one row of NULLs when no glob is given: every path is its own group.
  SELECT label, pattern FROM {{groups}}
),
numbered AS (
  -- Each event numbered by the page views before it in its session: a page view and the events up to the
  -- next page view share its number.
  SELECT ev_s.*,
    sum(CASE WHEN type = 'page' THEN 1 ELSE 0 END) OVER (
      PARTITION BY session_id ORDER BY ts, CASE WHEN type = 'page' THEN 0 ELSE 1 END, message_id
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS view_no
  FROM ev_s
),
views AS (
  SELECT session_id, person, view_no, path FROM numbered WHERE type = 'page' AND path IS NOT NULL
),
dwell AS (
  -- Dwell of a page view: the seconds its Page Ping heartbeats report on the same path before the next page view.
  SELECT v.session_id, v.view_no, coalesce(sum(n.seconds), 0) AS seconds
  FROM views v
  LEFT JOIN numbered n ON n.session_id = v.session_id AND n.view_no = v.view_no AND n.type = 'track' AND n.event = 'Page Ping' AND n.path = v.path
  GROUP BY v.session_id, v.view_no
),
edges AS (
  SELECT session_id, min(view_no) AS first_view, max(view_no) AS last_view FROM views GROUP BY session_id
),
path_groups AS (
  -- A path counts in every group whose glob it matches (patterns tried once per distinct path).
  SELECT p.path, coalesce(g.label, p.path) AS page
  FROM (SELECT DISTINCT path FROM views) p
  JOIN page_groups g ON g.pattern IS NULL OR regexp_like(p.path, g.pattern)
),
grouped AS (
  SELECT pg.page, v.session_id, v.person, d.seconds,
    CASE WHEN v.view_no = e.first_view THEN v.session_id END AS entry_session,
    CASE WHEN v.view_no = e.last_view THEN v.session_id END AS exit_session
  FROM views v
  JOIN dwell d ON d.session_id = v.session_id AND d.view_no = v.view_no
  JOIN edges e ON e.session_id = v.session_id
  JOIN path_groups pg ON pg.path = v.path
),
ranked AS (
  SELECT page, seconds,
    row_number() OVER (PARTITION BY page ORDER BY seconds) AS rn,
    count(*) OVER (PARTITION BY page) AS n
  FROM grouped
),
medians AS (
  -- Exact median: the middle value, or the mean of the two middle values (rows rn with n <= 2 rn <= n + 2).
  SELECT page, avg(seconds) AS median_seconds FROM ranked WHERE rn * 2 BETWEEN n AND n + 2 GROUP BY page
),
totals AS (
  SELECT page,
    count(*) AS page_views,
    count(DISTINCT person) AS visitors,
    avg(seconds) AS avg_seconds,
    count(DISTINCT session_id) AS sessions,
    count(DISTINCT entry_session) AS entries,
    count(DISTINCT exit_session) AS exits
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
