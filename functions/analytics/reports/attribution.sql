-- Attribution: each conversion credited to the touches before it within `lookback`, under several models
-- side by side, per channel group, medium and campaign; the window and the previous period of equal length.
-- Reads from the previous period's start less `lookback` days to `to` (scan_from_dt): conversions of both
-- periods and the touches they look back to. See reports/attribution.ts for the rules.
WITH
{{> persons}},
{{> events_by_person}},
{{> sessions}},
session_firsts AS (
  SELECT session_id, person, min(first_page_ts) AS first_page_ts
  FROM session_buckets
  GROUP BY session_id, person
),
visits AS (
  -- A visit's touch: its session's first page view (ranked only among the page views at that millisecond);
  -- a session without a page view (server events, scenario points) is no visit.
  SELECT touch_id, person, ts, dt, utm_source, utm_medium, utm_campaign, referrer_domain, click_id_type
  FROM (
    SELECT s.session_id AS touch_id, s.person, e.ts, e.dt, e.utm_source, e.utm_medium, e.utm_campaign, e.referrer_domain, e.click_id_type,
      row_number() OVER (PARTITION BY s.session_id ORDER BY e.message_id) AS rn
    FROM session_firsts s
    JOIN ev e ON e.person = s.person AND e.ts = s.first_page_ts AND e.type = 'page'
  ) firsts
  WHERE rn = 1
),
touches AS (
  SELECT touch_id, person, ts, dt, utm_source, utm_medium, utm_campaign, referrer_domain, click_id_type FROM visits
  UNION ALL
  -- An offline touch (a fair, a call) carries its channel and campaign in the utm columns.
  SELECT message_id, person, ts, dt, utm_source, utm_medium, utm_campaign, CAST(NULL AS varchar), CAST(NULL AS varchar)
  FROM ev
  WHERE type = 'track' AND event = {{offline_event}}
),
touch_keys AS (
  SELECT DISTINCT utm_source, utm_medium, utm_campaign, referrer_domain, click_id_type FROM touches
),
{{> classify}},
classified AS (
  SELECT t.touch_id, t.person, t.ts, t.dt, c.channel, c.medium, lower(t.utm_campaign) AS campaign
  FROM touches t
  JOIN touch_classes c ON coalesce(c.utm_source, '') = coalesce(t.utm_source, '') AND coalesce(c.utm_medium, '') = coalesce(t.utm_medium, '')
    AND coalesce(c.utm_campaign, '') = coalesce(t.utm_campaign, '') AND coalesce(c.referrer_domain, '') = coalesce(t.referrer_domain, '')
    AND coalesce(c.click_id_type, '') = coalesce(t.click_id_type, '')
),
stage_rows AS (
  -- Stage changes (type 'stage': event = the stage entered), one per message_id (a replayed outbox repeats
  -- the same id), with the person they belong to now.
  SELECT coalesce(s.person, r.profile_id) AS person, r.message_id, r.ts, r.dt, r.stage
  FROM (
    SELECT message_id, min(profile_id) AS profile_id, min(ts) AS ts, min(dt) AS dt, min(event) AS stage
    FROM events
    WHERE dt BETWEEN {{prev_from_dt}} AND {{to_dt}} AND type = 'stage' AND event = {{conversion_stage}}
    GROUP BY message_id
  ) r
  LEFT JOIN survivors s ON s.id = r.profile_id
),
conversions AS (
  SELECT person, message_id AS conversion_id, ts, CASE WHEN dt >= {{from_dt}} THEN 1 ELSE 0 END AS in_window, CAST(coalesce(revenue, 0) AS double) AS revenue
  FROM ev
  WHERE type = 'track' AND event = {{conversion_event}} AND dt >= {{prev_from_dt}}
  UNION ALL
  SELECT person, message_id, ts, CASE WHEN dt >= {{from_dt}} THEN 1 ELSE 0 END, CAST(0 AS double)
  FROM stage_rows
),
pairs AS (
  -- Each conversion with the touches at or before it within the lookback; `non_direct` = 1 when one of
  -- them is not direct (direct touches then earn nothing: "last non-direct click").
  SELECT c.conversion_id, c.in_window, c.revenue, c.ts AS conversion_ts, t.touch_id, t.ts, t.channel, t.medium, t.campaign,
    max(CASE WHEN t.channel <> 'direct' THEN 1 ELSE 0 END) OVER (PARTITION BY c.conversion_id) AS non_direct
  FROM conversions c
  JOIN classified t ON t.person = c.person AND t.ts <= c.ts AND t.ts >= c.ts - {{lookback_ms}}
),
eligible AS (
  SELECT conversion_id, in_window, revenue, conversion_ts, touch_id, ts, channel, medium, campaign,
    count(*) OVER (PARTITION BY conversion_id) AS n,
    row_number() OVER (PARTITION BY conversion_id ORDER BY ts, touch_id) AS rn_first,
    row_number() OVER (PARTITION BY conversion_id ORDER BY ts DESC, touch_id DESC) AS rn_last,
    power(CAST(2 AS double), CAST(ts - conversion_ts AS double) / {{half_life_ms}}) AS decay,
    sum(power(CAST(2 AS double), CAST(ts - conversion_ts AS double) / {{half_life_ms}})) OVER (PARTITION BY conversion_id) AS decay_sum
  FROM pairs
  WHERE channel <> 'direct' OR non_direct = 0
),
models AS (
  SELECT model FROM {{models}}
),
credits AS (
  SELECT m.model, e.in_window, e.channel, e.medium, e.campaign, e.revenue,
    CASE m.model
      WHEN 'first' THEN CASE WHEN e.rn_first = 1 THEN CAST(1 AS double) ELSE CAST(0 AS double) END
      WHEN 'last' THEN CASE WHEN e.rn_last = 1 THEN CAST(1 AS double) ELSE CAST(0 AS double) END
      WHEN 'linear' THEN CAST(1 AS double) / e.n
      WHEN 'position' THEN CASE WHEN e.n = 1 THEN CAST(1 AS double) WHEN e.n = 2 THEN CAST(0.5 AS double)
        WHEN e.rn_first = 1 OR e.rn_last = 1 THEN CAST(0.4 AS double) ELSE CAST(0.2 AS double) / (e.n - 2) END
      ELSE e.decay / e.decay_sum
    END AS credit
  FROM eligible e
  CROSS JOIN models m
  UNION ALL
  -- A conversion without a touch in its lookback: one whole credit to (unattributed), so totals add up.
  SELECT m.model, c.in_window, '(unattributed)', '(unattributed)', CAST(NULL AS varchar), c.revenue, CAST(1 AS double)
  FROM conversions c
  CROSS JOIN models m
  WHERE c.conversion_id NOT IN (SELECT conversion_id FROM pairs)
),
touch_counts AS (
  SELECT channel, medium, campaign,
    sum(CASE WHEN dt >= {{from_dt}} THEN 1 ELSE 0 END) AS touches, sum(CASE WHEN dt < {{from_dt}} THEN 1 ELSE 0 END) AS prev_touches
  FROM classified
  WHERE dt >= {{prev_from_dt}}
  GROUP BY channel, medium, campaign
),
facts AS (
  SELECT model, channel, medium, campaign,
    CASE WHEN in_window = 1 THEN credit ELSE 0 END AS conversions,
    CASE WHEN in_window = 1 THEN credit * revenue ELSE 0 END AS revenue,
    CASE WHEN in_window = 0 THEN credit ELSE 0 END AS prev_conversions,
    CASE WHEN in_window = 0 THEN credit * revenue ELSE 0 END AS prev_revenue,
    0 AS touches, 0 AS prev_touches
  FROM credits
  WHERE credit > 0
  UNION ALL
  -- Touches by the period they fall in (whether or not a conversion followed), counted before the models multiply them.
  SELECT m.model, t.channel, t.medium, t.campaign, 0, 0, 0, 0, t.touches, t.prev_touches
  FROM touch_counts t
  CROSS JOIN models m
),
by_key AS (
  SELECT model, channel, medium, campaign,
    sum(touches) AS touches, sum(conversions) AS conversions, sum(revenue) AS revenue,
    sum(prev_touches) AS prev_touches, sum(prev_conversions) AS prev_conversions, sum(prev_revenue) AS prev_revenue
  FROM facts
  GROUP BY model, channel, medium, campaign
),
ranked_keys AS (
  SELECT by_key.*,
    row_number() OVER (PARTITION BY model ORDER BY conversions DESC, touches DESC, prev_conversions DESC, channel, medium, coalesce(campaign, '')) AS rn
  FROM by_key
)
SELECT model, 0 AS total, rn, channel, medium, campaign, touches, conversions, revenue, prev_touches, prev_conversions, prev_revenue
FROM ranked_keys
WHERE rn <= {{limit}}
UNION ALL
SELECT model, 1, 0, CAST(NULL AS varchar), CAST(NULL AS varchar), CAST(NULL AS varchar),
  sum(touches), sum(conversions), sum(revenue), sum(prev_touches), sum(prev_conversions), sum(prev_revenue)
FROM by_key
GROUP BY model
ORDER BY model, total, rn
