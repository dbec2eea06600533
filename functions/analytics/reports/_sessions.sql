-- Fragment "sessions" (after "events_by_person"): each event with its session. A session is a person's
-- run of events without a gap of sessionGapMinutes (30) or more: an event 30 minutes or later after the
-- previous one starts a new session. Events at the same millisecond keep a fixed order: page views before
-- other events, then by message_id. Two passes over the person's events in that order, each window
-- written alike so one sort serves all windows of a pass:
--   ev_gap: `starts` (1 on the first event of a session) and `pages_so_far` (the person's page views up to
--   and including the event);
--   ev_s: `session_id` (person and session number) and `view_no`, the session's page views up to and
--   including the event: a page view and the events up to the next page view share its number, events
--   before the session's first page view have 0.
ev_gap AS (
  SELECT ev.*,
    CASE WHEN ts - lag(ts) OVER (PARTITION BY person ORDER BY ts, CASE WHEN type = 'page' THEN 0 ELSE 1 END, message_id) < {{session_gap_ms}}
      THEN 0 ELSE 1 END AS starts,
    sum(CASE WHEN type = 'page' THEN 1 ELSE 0 END) OVER (
      PARTITION BY person ORDER BY ts, CASE WHEN type = 'page' THEN 0 ELSE 1 END, message_id
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS pages_so_far
  FROM ev
),
ev_s AS (
  SELECT ev_gap.*,
    person || ':' || CAST(sum(starts) OVER (
      PARTITION BY person ORDER BY ts, CASE WHEN type = 'page' THEN 0 ELSE 1 END, message_id
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS varchar) AS session_id,
    pages_so_far - max(CASE WHEN starts = 1 THEN pages_so_far - CASE WHEN type = 'page' THEN 1 ELSE 0 END END) OVER (
      PARTITION BY person ORDER BY ts, CASE WHEN type = 'page' THEN 0 ELSE 1 END, message_id
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS view_no
  FROM ev_gap
)
