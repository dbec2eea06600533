-- Fragment "persons": each merged profile id with the person (surviving profile) it belongs to now.
merges AS (
  -- One move per profile: a profile is merged once, into the survivor of that moment (a replayed row
  -- repeats the same move); the latest row wins should a fault ever write two.
  SELECT from_id, max_by(to_id, ts) AS to_id
  FROM identity
  WHERE kind = 'merge' AND from_id <> to_id
  GROUP BY from_id
),
survivors AS (
  -- Follows merges up to maxMergeHops = 5 (functions/profiles/domain/merge-chain.ts): A→B→C counts A's
  -- history as C's. The identity table is read whole: merges from before the window move history in it.
  SELECT m1.from_id AS id, coalesce(m5.to_id, m4.to_id, m3.to_id, m2.to_id, m1.to_id) AS person
  FROM merges m1
  LEFT JOIN merges m2 ON m2.from_id = m1.to_id
  LEFT JOIN merges m3 ON m3.from_id = m2.to_id
  LEFT JOIN merges m4 ON m4.from_id = m3.to_id
  LEFT JOIN merges m5 ON m5.from_id = m4.to_id
)
