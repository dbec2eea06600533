-- Fragment "events_by_person" (after "persons"): the window's events, each once, with the person it belongs to.
repeated AS (
  -- Message ids delivered more than once (at-least-once delivery). They are few, so only their rows are
  -- ranked: ranking every row by message_id took most of a report's time on a large lake.
  SELECT message_id FROM events WHERE dt BETWEEN {{scan_from_dt}} AND {{to_dt}} GROUP BY message_id HAVING count(*) > 1
),
events_once AS (
  -- One row per message_id: the first received (then the lowest profile_id). The lake is read in each
  -- branch rather than once in a CTE, so each report reads only the columns it uses. Stage changes
  -- (type 'stage', lake-rows.ts stageRow) are no events a visitor made: left out here; attribution reads them.
  SELECT message_id, profile_id, user_id, type, event, path, referrer_domain, utm_source, utm_medium, utm_campaign, click_id_type, seconds, revenue, ts, dt
  FROM events
  WHERE dt BETWEEN {{scan_from_dt}} AND {{to_dt}} AND type <> 'stage' AND message_id NOT IN (SELECT message_id FROM repeated)
  UNION ALL
  SELECT message_id, profile_id, user_id, type, event, path, referrer_domain, utm_source, utm_medium, utm_campaign, click_id_type, seconds, revenue, ts, dt
  FROM (
    SELECT e.*, row_number() OVER (PARTITION BY message_id ORDER BY received, profile_id) AS copy_no
    FROM events e
    WHERE dt BETWEEN {{scan_from_dt}} AND {{to_dt}} AND type <> 'stage' AND message_id IN (SELECT message_id FROM repeated)
  ) ranked
  WHERE copy_no = 1
),
ev AS (
  SELECT coalesce(s.person, e.profile_id) AS person, e.*
  FROM events_once e
  LEFT JOIN survivors s ON s.id = e.profile_id
)
