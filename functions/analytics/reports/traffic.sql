-- Traffic by day: visits, visitors, new and returning visitors, known and anonymous visitors; and one row
-- with day NULL for the whole window (a person visiting on three days is one visitor there, three by day).
-- Reads the window and `lookback` days before it (first visits and identifications happen there too).
WITH
{{> persons}},
{{> events_by_person}},
{{> sessions}},
first_seen AS (
  -- The person's first day in what was read: a visitor is new on that day, returning after it.
  SELECT person, min(dt) AS first_dt FROM ev GROUP BY person
),
known_since AS (
  -- A person is known from the day of their first event with a user id, or their first identify call.
  SELECT person, min(dt) AS known_dt FROM ev WHERE user_id IS NOT NULL OR type = 'identify' GROUP BY person
),
visits AS (
  -- A visit counts on the day of its first event.
  SELECT first_dt AS day, count(*) AS visits
  FROM session_buckets
  WHERE starts = 1 AND first_dt >= {{from_dt}}
  GROUP BY first_dt
),
visitors AS (
  SELECT d.day,
    count(*) AS visitors,
    sum(CASE WHEN f.first_dt = d.day THEN 1 ELSE 0 END) AS new_visitors,
    sum(CASE WHEN f.first_dt < d.day THEN 1 ELSE 0 END) AS returning_visitors,
    sum(CASE WHEN k.known_dt <= d.day THEN 1 ELSE 0 END) AS known_visitors,
    sum(CASE WHEN k.known_dt IS NULL OR k.known_dt > d.day THEN 1 ELSE 0 END) AS anonymous_visitors
  FROM (SELECT DISTINCT person, dt AS day FROM ev WHERE dt >= {{from_dt}}) d
  JOIN first_seen f ON f.person = d.person
  LEFT JOIN known_since k ON k.person = d.person
  GROUP BY d.day
),
window_visitors AS (
  -- New in the window: first seen in it; returning: seen in the lookback before it. Known: by the window's end.
  SELECT count(*) AS visitors,
    sum(CASE WHEN f.first_dt >= {{from_dt}} THEN 1 ELSE 0 END) AS new_visitors,
    sum(CASE WHEN f.first_dt < {{from_dt}} THEN 1 ELSE 0 END) AS returning_visitors,
    sum(CASE WHEN k.known_dt IS NOT NULL THEN 1 ELSE 0 END) AS known_visitors,
    sum(CASE WHEN k.known_dt IS NULL THEN 1 ELSE 0 END) AS anonymous_visitors
  FROM (SELECT DISTINCT person FROM ev WHERE dt >= {{from_dt}}) d
  JOIN first_seen f ON f.person = d.person
  LEFT JOIN known_since k ON k.person = d.person
)
SELECT v.day, coalesce(s.visits, 0) AS visits, v.visitors, v.new_visitors, v.returning_visitors, v.known_visitors, v.anonymous_visitors
FROM visitors v
LEFT JOIN visits s ON s.day = v.day
UNION ALL
-- The window: no row when nobody visited (count(*) of no people is 0).
SELECT CAST(NULL AS varchar) AS day, coalesce(t.visits, 0) AS visits, w.visitors, w.new_visitors, w.returning_visitors,
  w.known_visitors, w.anonymous_visitors
FROM window_visitors w
CROSS JOIN (SELECT sum(visits) AS visits FROM visits) t
WHERE w.visitors > 0
ORDER BY day
