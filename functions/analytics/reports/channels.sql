-- Channels: visits, leads and orders by the touch they are credited to (utm source, medium, campaign,
-- referrer domain, and the medium and channel group the media registry classifies these and the ad click
-- id type as: the "classify" fragment), by first touch or last touch (`model`).
-- Reads the window and `lookback` days before it (first touches and earlier identifications happen there).
WITH
{{> persons}},
{{> events_by_person}},
{{> sessions}},
session_starts AS (
  -- Each session's start and its first page view (none: the session is no visit).
  SELECT session_id, person, min(first_ts) AS start_ts, min(first_dt) AS start_dt, min(first_page_ts) AS first_page_ts
  FROM session_buckets
  GROUP BY session_id, person
),
touches AS (
  -- A visit and its touch: a session with a page view, and the campaign, referrer and click id of its first page
  -- view, ranked only among the page views at that millisecond. A session without a page view (events
  -- a server sent, points a scenario granted) is no visit and brings no touch.
  SELECT session_id, person, start_ts, start_dt, utm_source, utm_medium, utm_campaign, referrer_domain, click_id_type
  FROM (
    SELECT s.session_id, s.person, s.start_ts, s.start_dt, e.utm_source, e.utm_medium, e.utm_campaign, e.referrer_domain, e.click_id_type,
      row_number() OVER (PARTITION BY s.session_id ORDER BY e.message_id) AS rn
    FROM session_starts s
    JOIN ev e ON e.person = s.person AND e.ts = s.first_page_ts AND e.type = 'page'
  ) firsts
  WHERE rn = 1
),
last_touch AS (
  -- Under last touch, what happens in a session counts for the latest visit that began at or before it:
  -- the session itself when it is a visit.
  SELECT session_id, touch_session FROM (
    SELECT s.session_id, t.session_id AS touch_session,
      row_number() OVER (PARTITION BY s.session_id ORDER BY t.start_ts DESC, t.session_id DESC) AS rn
    FROM session_starts s
    JOIN touches t ON t.person = s.person AND t.start_ts <= s.start_ts
  ) latest
  WHERE rn = 1
),
touch_keys AS (
  SELECT DISTINCT utm_source, utm_medium, utm_campaign, referrer_domain, click_id_type FROM touches
),
{{> classify}},
classified AS (
  SELECT t.*, c.medium, c.medium_name, c.channel
  FROM touches t
  -- Null-safe equality as coalesce to '' (the Trino syntax check lacks IS NOT DISTINCT FROM; '' is no lake value).
  JOIN touch_classes c ON coalesce(c.utm_source, '') = coalesce(t.utm_source, '') AND coalesce(c.utm_medium, '') = coalesce(t.utm_medium, '')
    AND coalesce(c.utm_campaign, '') = coalesce(t.utm_campaign, '') AND coalesce(c.referrer_domain, '') = coalesce(t.referrer_domain, '')
    AND coalesce(c.click_id_type, '') = coalesce(t.click_id_type, '')
),
first_touch AS (
  -- The person's first session in what was read (the window and the lookback).
  SELECT person, session_id FROM (
    SELECT person, session_id, row_number() OVER (PARTITION BY person ORDER BY start_ts, session_id) AS rn FROM touches
  ) ordered_touches
  WHERE rn = 1
),
known AS (
  -- The event that made the person known (first with a user id, or first identify call) and its session.
  SELECT k.person, sb.session_id, k.dt
  FROM (
    SELECT person, ts, dt,
      row_number() OVER (PARTITION BY person ORDER BY ts, message_id) AS rn
    FROM ev
    WHERE user_id IS NOT NULL OR type = 'identify'
  ) k
  JOIN session_buckets sb ON sb.person = k.person AND sb.bucket = k.ts - k.ts % {{session_gap_ms}}
  WHERE k.rn = 1
),
facts AS (
  SELECT person, session_id, 1 AS visits, 0 AS leads, 0 AS orders, CAST(0 AS double) AS revenue
  FROM touches WHERE start_dt >= {{from_dt}}
  UNION ALL
  SELECT person, session_id, 0, 1, 0, CAST(0 AS double) FROM known WHERE dt >= {{from_dt}}
  UNION ALL
  SELECT o.person, sb.session_id, 0, 0, 1, coalesce(o.revenue, 0)
  FROM ev o
  JOIN session_buckets sb ON sb.person = o.person AND sb.bucket = o.ts - o.ts % {{session_gap_ms}}
  WHERE o.type = 'track' AND o.event = {{order_event}} AND o.dt >= {{from_dt}}
),
credited AS (
  SELECT f.*, CASE WHEN {{model}} = 'first' THEN ft.session_id ELSE lt.touch_session END AS touch_session
  FROM facts f
  JOIN first_touch ft ON ft.person = f.person
  LEFT JOIN last_touch lt ON lt.session_id = f.session_id
)
SELECT c.channel, c.medium, c.medium_name, c.utm_source, c.utm_medium, c.utm_campaign, c.referrer_domain,
  sum(cr.visits) AS visits,
  count(DISTINCT cr.person) AS people,
  sum(cr.leads) AS leads,
  sum(cr.orders) AS orders,
  round(sum(cr.revenue), 2) AS revenue
FROM credited cr
JOIN classified c ON c.session_id = cr.touch_session
GROUP BY c.channel, c.medium, c.medium_name, c.utm_source, c.utm_medium, c.utm_campaign, c.referrer_domain
ORDER BY visits DESC, orders DESC, c.channel, c.medium, c.utm_source, c.utm_medium, c.utm_campaign, c.referrer_domain
LIMIT {{limit}}
