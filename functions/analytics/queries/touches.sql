-- A person's touches, newest first (the reader turns them oldest first): each visit (a session's first
-- page view) and each "Offline Touch" event, with its medium and channel group by the media registry.
-- Reads only the given profiles (the person and the profiles merged into them) over one span of days.
-- Sessions are split as reports/_sessions.sql splits them (an event a gap of session_gap_ms or more after
-- the previous one starts a new session), over this person's rows only; offline touches are not web
-- activity and neither start nor continue a session.
WITH
person_events AS (
  SELECT message_id, type, event, path, referrer_domain, utm_source, utm_medium, utm_campaign, click_id_type, properties, ts
  FROM (
    SELECT message_id, type, event, path, referrer_domain, utm_source, utm_medium, utm_campaign, click_id_type, properties, ts,
      row_number() OVER (PARTITION BY message_id ORDER BY received) AS copy_no
    FROM events
    WHERE dt BETWEEN {{from_dt}} AND {{to_dt}}
      AND profile_id IN (SELECT id FROM {{ids}})
      AND ts >= {{since_ms}}
  ) copies
  WHERE copy_no = 1
),
web AS (
  SELECT message_id, type, path, referrer_domain, utm_source, utm_medium, utm_campaign, click_id_type, ts,
    CASE WHEN ts - lag(ts) OVER (ORDER BY ts, message_id) < {{session_gap_ms}} THEN 0 ELSE 1 END AS starts
  FROM person_events
  WHERE NOT (type = 'track' AND event = {{offline_event}})
),
web_sessions AS (
  SELECT web.*, sum(starts) OVER (ORDER BY ts, message_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS session_no
  FROM web
),
visits AS (
  -- A session's first page view (a session without one, e.g. server-sent events, is no visit).
  SELECT message_id, ts, path, referrer_domain, utm_source, utm_medium, utm_campaign, click_id_type
  FROM (
    SELECT web_sessions.*, row_number() OVER (PARTITION BY session_no ORDER BY ts, message_id) AS rn
    FROM web_sessions
    WHERE type = 'page'
  ) pages
  WHERE rn = 1
),
all_touches AS (
  SELECT 'visit' AS kind, message_id, ts, path, referrer_domain, utm_source, utm_medium, utm_campaign, click_id_type, CAST(NULL AS varchar) AS properties
  FROM visits
  UNION ALL
  SELECT 'offline' AS kind, message_id, ts, path, referrer_domain, utm_source, utm_medium, utm_campaign, click_id_type, properties
  FROM person_events
  WHERE type = 'track' AND event = {{offline_event}}
),
touch_keys AS (
  SELECT DISTINCT utm_source, utm_medium, utm_campaign, referrer_domain, click_id_type FROM all_touches
),
{{> classify}}
SELECT t.kind, t.message_id, t.ts, t.path, t.referrer_domain, t.utm_source, t.utm_medium, t.utm_campaign, t.click_id_type, t.properties,
  c.medium, c.medium_name, c.channel
FROM all_touches t
JOIN touch_classes c ON coalesce(c.utm_source, '') = coalesce(t.utm_source, '') AND coalesce(c.utm_medium, '') = coalesce(t.utm_medium, '')
  AND coalesce(c.utm_campaign, '') = coalesce(t.utm_campaign, '') AND coalesce(c.referrer_domain, '') = coalesce(t.referrer_domain, '')
  AND coalesce(c.click_id_type, '') = coalesce(t.click_id_type, '')
ORDER BY t.ts DESC, t.message_id DESC
LIMIT {{limit}}
