-- Recommendations' counts from the lake over one window (functions/recommendations/adapters/lake-counts.ts).
-- Baskets: the products of one order ('bought', keyed by order_id, else the message id) and the products one
-- person viewed, clicked or added on one UTC day ('viewed'). A basket of more than {{max_basket}} distinct
-- products is left out of every count (pairs grow quadratically; such baskets are bulk orders or crawlers).
-- Rows: 'pair' (kind, a < b, n baskets holding both, n >= {{min_support}}), 'item' (kind, a, n baskets holding
-- it, persons = distinct people), 'total' (kind, n baskets), 'product' (a, the latest spec fields seen).
WITH {{> persons}},
src AS (
  -- One row per message_id (at-least-once delivery): copies carry the same event.
  SELECT message_id, min(profile_id) AS profile_id, min(event) AS event, min(properties) AS properties, min(ts) AS ts, min(dt) AS dt
  FROM events
  WHERE dt BETWEEN {{from_dt}} AND {{to_dt}} AND ts >= {{from_ts}} AND ts < {{to_ts}} AND type = 'track'
    AND event IN ('Product Viewed', 'Product Clicked', 'Product Added', 'Order Completed') AND properties IS NOT NULL
  GROUP BY message_id
),
ev AS (
  SELECT coalesce(s.person, e.profile_id) AS person, e.*
  FROM src e
  LEFT JOIN survivors s ON s.id = e.profile_id
),
raw_lines AS (
  SELECT 'viewed' AS kind, person || ':' || dt AS basket, person, ts, properties AS product, CAST(NULL AS varchar) AS order_currency
  FROM ev
  WHERE event <> 'Order Completed'
  UNION ALL
  SELECT 'bought' AS kind, 'o:' || coalesce(json_extract_scalar(properties, '$.order_id'), message_id) AS basket, person, ts, {{> order_product_text}} AS product,
    json_extract_scalar(properties, '$.currency') AS order_currency
  FROM ev
  {{> order_products}}
  WHERE event = 'Order Completed' AND pos <= {{max_order_products}}
),
lines AS (
  SELECT kind, basket, person, ts, trim(coalesce(json_extract_scalar(product, '$.product_id'), json_extract_scalar(product, '$.sku'))) AS product_id, product, order_currency
  FROM raw_lines
),
valid AS (
  SELECT * FROM lines WHERE length(product_id) BETWEEN 1 AND {{max_id_chars}}
),
basket_items AS (
  SELECT DISTINCT kind, basket, product_id FROM valid
),
sizes AS (
  SELECT kind, basket, count(*) AS size FROM basket_items GROUP BY kind, basket
),
kept AS (
  SELECT bi.kind, bi.basket, bi.product_id
  FROM basket_items bi
  JOIN sizes z ON z.kind = bi.kind AND z.basket = bi.basket
  WHERE z.size <= {{max_basket}}
),
pairs AS (
  SELECT x.kind, x.product_id AS a, y.product_id AS b, count(*) AS n
  FROM kept x
  JOIN kept y ON y.kind = x.kind AND y.basket = x.basket AND x.product_id < y.product_id
  GROUP BY x.kind, x.product_id, y.product_id
  HAVING count(*) >= {{min_support}}
),
item_baskets AS (
  SELECT kind, product_id, count(*) AS n FROM kept GROUP BY kind, product_id
),
item_persons AS (
  -- People per product, from kept baskets only (a crawler's day of views counts for nobody).
  SELECT v.kind, v.product_id, count(DISTINCT v.person) AS persons
  FROM valid v
  JOIN sizes z ON z.kind = v.kind AND z.basket = v.basket
  WHERE z.size <= {{max_basket}}
  GROUP BY v.kind, v.product_id
),
fields AS (
  SELECT product_id, ts,
    json_extract_scalar(product, '$.name') AS name, json_extract_scalar(product, '$.price') AS price,
    coalesce(json_extract_scalar(product, '$.currency'), order_currency) AS currency, json_extract_scalar(product, '$.category') AS category,
    json_extract_scalar(product, '$.url') AS url, json_extract_scalar(product, '$.image_url') AS image_url
  FROM valid
),
latest AS (
  -- Each field's latest value seen (a later event that leaves a field out does not erase it).
  SELECT product_id,
    max_by(name, CASE WHEN name IS NOT NULL THEN ts END) AS name, max_by(price, CASE WHEN price IS NOT NULL THEN ts END) AS price,
    max_by(currency, CASE WHEN currency IS NOT NULL THEN ts END) AS currency, max_by(category, CASE WHEN category IS NOT NULL THEN ts END) AS category,
    max_by(url, CASE WHEN url IS NOT NULL THEN ts END) AS url, max_by(image_url, CASE WHEN image_url IS NOT NULL THEN ts END) AS image_url,
    max(ts) AS ts
  FROM fields
  GROUP BY product_id
)
SELECT 'pair' AS rec, kind, a, b, n, CAST(NULL AS bigint) AS persons,
  CAST(NULL AS varchar) AS name, CAST(NULL AS varchar) AS price, CAST(NULL AS varchar) AS currency, CAST(NULL AS varchar) AS category,
  CAST(NULL AS varchar) AS url, CAST(NULL AS varchar) AS image_url, CAST(NULL AS bigint) AS ts
FROM pairs
UNION ALL
SELECT 'item', p.kind, p.product_id, CAST(NULL AS varchar), coalesce(b.n, 0), p.persons, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM item_persons p
LEFT JOIN item_baskets b ON b.kind = p.kind AND b.product_id = p.product_id
UNION ALL
SELECT 'total', kind, CAST(NULL AS varchar), CAST(NULL AS varchar), count(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM (SELECT DISTINCT kind, basket FROM kept) k
GROUP BY kind
UNION ALL
SELECT 'product', CAST(NULL AS varchar), product_id, CAST(NULL AS varchar), CAST(NULL AS bigint), NULL, name, price, currency, category, url, image_url, ts
FROM latest
