-- Fragment "sessions" (after "events_by_person"): each event with its session_id. A session is a
-- person's run of events without a gap of sessionGapMinutes (30) or more: an event 30 minutes or later
-- after the previous one starts a new session. Events at the same millisecond keep a fixed order: page
-- views before other events, then by message_id.
--
-- Sessions are found among buckets, not by sorting every event: a person's events of one 30-minute bucket
-- of time (ts - ts % gap) are less than a gap apart, so only a bucket's first event can start a session,
-- and it does when it comes a gap or more after the person's previous bucket's last event.
buckets AS (
  SELECT person, ts - ts % {{session_gap_ms}} AS bucket,
    min(ts) AS first_ts, max(ts) AS last_ts, min(dt) AS first_dt,
    min(CASE WHEN type = 'page' THEN ts END) AS first_page_ts,
    sum(CASE WHEN type = 'page' THEN 1 ELSE 0 END) AS page_views
  FROM ev
  GROUP BY person, ts - ts % {{session_gap_ms}}
),
bucket_gaps AS (
  SELECT buckets.*,
    CASE WHEN first_ts - lag(last_ts) OVER (PARTITION BY person ORDER BY bucket) < {{session_gap_ms}} THEN 0 ELSE 1 END AS starts,
    sum(page_views) OVER (PARTITION BY person ORDER BY bucket ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - page_views AS pages_before
  FROM buckets
),
session_buckets AS (
  -- Each bucket with its session: the person and the number of sessions started up to it. `starts` is 1
  -- on the bucket whose first event starts the session (a visit counts on that event's day, first_dt);
  -- `session_pages_before` counts the person's page views before the session.
  SELECT bucket_gaps.*,
    person || ':' || CAST(sum(starts) OVER (PARTITION BY person ORDER BY bucket ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS varchar) AS session_id,
    max(CASE WHEN starts = 1 THEN pages_before END) OVER (PARTITION BY person ORDER BY bucket ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS session_pages_before
  FROM bucket_gaps
),
ev_s AS (
  SELECT ev.*, sb.session_id
  FROM ev
  JOIN session_buckets sb ON sb.person = ev.person AND sb.bucket = ev.ts - ev.ts % {{session_gap_ms}}
)
