-- A person's activity from the lake, newest first: the events of the given profiles (the person and the
-- profiles merged into them) within one span of days, each once (rows may repeat under at-least-once
-- delivery), after a cursor (time, then message id) and not before `since`. Read by the profile API's
-- activity list, scenario behaviour conditions and the scoring back-test (functions/analytics/adapters/lake-activity.ts).
SELECT message_id, type, event, name, path, properties, ts
FROM (
  SELECT message_id, type, event, name, path, properties, ts,
    row_number() OVER (PARTITION BY message_id ORDER BY received) AS copy_no
  FROM events
  WHERE dt BETWEEN {{from_dt}} AND {{to_dt}}
    AND profile_id IN (SELECT id FROM {{ids}})
    AND ts >= {{since_ms}}
    AND (ts < {{before_ms}} OR (ts = {{before_ms}} AND message_id < {{before_id}}))
) copies
WHERE copy_no = 1
ORDER BY ts DESC, message_id DESC
LIMIT {{limit}}
