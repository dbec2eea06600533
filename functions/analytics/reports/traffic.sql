-- Traffic by day: visits, visitors, new and returning visitors, known and anonymous visitors.
-- Reads the window and `lookback` days before it (first visits and identifications happen there too).
WITH
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
)
SELECT v.day, coalesce(s.visits, 0) AS visits, v.visitors, v.new_visitors, v.returning_visitors, v.known_visitors, v.anonymous_visitors
FROM visitors v
LEFT JOIN visits s ON s.day = v.day
ORDER BY v.day
