-- Recommendations: impressions, clicks and CTR per strategy and variant (model or the held-out control),
-- and the orders (with revenue) of people within `days` after a recommendation click of theirs.
WITH
{{> persons}},
rec_once AS (
  -- "Recommendation Viewed" / "Recommendation Clicked" in the window, one row per message_id.
  SELECT message_id, min(profile_id) AS profile_id, min(event) AS event, min(properties) AS properties, min(ts) AS ts
  FROM events
  WHERE dt BETWEEN {{scan_from_dt}} AND {{to_dt}} AND type = 'track' AND event IN ({{viewed_event}}, {{clicked_event}})
  GROUP BY message_id
),
recs AS (
  SELECT coalesce(s.person, r.profile_id) AS person, r.event, r.ts,
    coalesce(json_extract_scalar(r.properties, '$.strategy'), '(unknown)') AS strategy,
    coalesce(json_extract_scalar(r.properties, '$.variant'), '(unknown)') AS variant
  FROM rec_once r
  LEFT JOIN survivors s ON s.id = r.profile_id
),
clicks AS (
  SELECT person, ts, strategy, variant FROM recs WHERE event = {{clicked_event}}
),
orders_once AS (
  -- Orders up to `days` after the window's last day: a click on its last day may still lead to one.
  SELECT message_id, min(profile_id) AS profile_id, min(revenue) AS revenue, min(ts) AS ts
  FROM events
  WHERE dt BETWEEN {{scan_from_dt}} AND {{orders_to_dt}} AND type = 'track' AND event = {{order_event}}
  GROUP BY message_id
),
orders AS (
  SELECT coalesce(s.person, o.profile_id) AS person, o.message_id, o.revenue, o.ts
  FROM orders_once o
  LEFT JOIN survivors s ON s.id = o.profile_id
),
credited AS (
  -- Each order once, to the person's latest click at or before it and at most `days` earlier (last click).
  SELECT o.message_id, o.revenue, c.strategy, c.variant,
    row_number() OVER (PARTITION BY o.message_id ORDER BY c.ts DESC, c.strategy, c.variant) AS rn
  FROM orders o
  JOIN clicks c ON c.person = o.person AND o.ts >= c.ts AND o.ts <= c.ts + {{days_ms}}
),
shown AS (
  SELECT strategy, variant,
    sum(CASE WHEN event = {{viewed_event}} THEN 1 ELSE 0 END) AS impressions,
    sum(CASE WHEN event = {{clicked_event}} THEN 1 ELSE 0 END) AS clicks
  FROM recs
  GROUP BY strategy, variant
),
bought AS (
  SELECT strategy, variant, count(*) AS orders, sum(coalesce(revenue, 0)) AS revenue
  FROM credited
  WHERE rn = 1
  GROUP BY strategy, variant
)
SELECT s.strategy, s.variant, s.impressions, s.clicks,
  round(CAST(s.clicks AS double) / nullif(s.impressions, 0), 4) AS ctr,
  coalesce(b.orders, 0) AS orders,
  round(coalesce(b.revenue, 0), 2) AS revenue,
  round(CAST(coalesce(b.orders, 0) AS double) / nullif(s.impressions, 0), 6) AS orders_per_impression
FROM shown s
LEFT JOIN bought b ON b.strategy = s.strategy AND b.variant = s.variant
ORDER BY s.strategy, s.variant
