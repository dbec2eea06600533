-- Fragment "sessions" (after "events_by_person"): each event with its session_id. A session is a
-- person's run of events without a gap of sessionGapMinutes (30) or more: an event 30
-- minutes or later after the previous one starts a new session. Events at the same millisecond keep a
-- fixed order: page views before other events, then by message_id.
ev_gap AS (
  SELECT ev.*,
    CASE WHEN lag(ts) OVER (PARTITION BY person ORDER BY ts, CASE WHEN type = 'page' THEN 0 ELSE 1 END, message_id) IS NULL
      OR ts - lag(ts) OVER (PARTITION BY person ORDER BY ts, CASE WHEN type = 'page' THEN 0 ELSE 1 END, message_id) >= {{session_gap_ms}}
      THEN 1 ELSE 0 END AS starts
  FROM ev
),
ev_s AS (
  SELECT ev_gap.*,
    person || ':' || CAST(sum(starts) OVER (
      PARTITION BY person ORDER BY ts, CASE WHEN type = 'page' THEN 0 ELSE 1 END, message_id
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS varchar) AS session_id
  FROM ev_gap
)
