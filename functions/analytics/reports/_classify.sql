-- Fragment "classify": the medium and channel group of each distinct touch key, by the media registry
-- (functions/channels/domain/registry.ts: the first matching medium wins; classify() there is the same
-- rule in TypeScript). Needs a CTE touch_keys(utm_source, utm_medium, utm_campaign, referrer_domain,
-- click_id_type) of distinct keys; gives touch_classes: those columns, medium, medium_name and channel.
-- Patterns are tried once per distinct key, not per row.
channel_rules AS (
  SELECT ord, medium_id, medium_name, grp, source_re, medium_re, campaign_re, referrer_re, click_re FROM {{channel_rules}}
),
key_matches AS (
  SELECT k.utm_source, k.utm_medium, k.utm_campaign, k.referrer_domain, k.click_id_type, min(r.ord) AS ord
  FROM touch_keys k
  JOIN channel_rules r
    ON (r.source_re = '' OR regexp_like(lower(coalesce(k.utm_source, '')), r.source_re))
    AND (r.medium_re = '' OR regexp_like(lower(coalesce(k.utm_medium, '')), r.medium_re))
    AND (r.campaign_re = '' OR regexp_like(lower(coalesce(k.utm_campaign, '')), r.campaign_re))
    AND (r.referrer_re = '' OR regexp_like(lower(coalesce(k.referrer_domain, '')), r.referrer_re))
    AND (r.click_re = '' OR regexp_like(lower(coalesce(k.click_id_type, '')), r.click_re))
  GROUP BY k.utm_source, k.utm_medium, k.utm_campaign, k.referrer_domain, k.click_id_type
),
touch_classes AS (
  -- No medium matching: a referrer is a referral medium named by its domain, UTM values alone an `other`
  -- medium named by utm_source ('(not set)' without one), nothing at all is direct.
  SELECT k.utm_source, k.utm_medium, k.utm_campaign, k.referrer_domain, k.click_id_type,
    coalesce(r.medium_id, CASE WHEN k.referrer_domain IS NOT NULL THEN lower(k.referrer_domain)
      WHEN k.utm_source IS NOT NULL OR k.utm_medium IS NOT NULL OR k.utm_campaign IS NOT NULL THEN coalesce(lower(k.utm_source), '(not set)')
      ELSE 'direct' END) AS medium,
    coalesce(r.medium_name, CASE WHEN k.referrer_domain IS NOT NULL THEN lower(k.referrer_domain)
      WHEN k.utm_source IS NOT NULL OR k.utm_medium IS NOT NULL OR k.utm_campaign IS NOT NULL THEN coalesce(lower(k.utm_source), '(not set)')
      ELSE 'Direct' END) AS medium_name,
    coalesce(r.grp, CASE WHEN k.referrer_domain IS NOT NULL THEN 'referral'
      WHEN k.utm_source IS NOT NULL OR k.utm_medium IS NOT NULL OR k.utm_campaign IS NOT NULL THEN 'other'
      ELSE 'direct' END) AS channel
  FROM touch_keys k
  -- Null-safe equality as coalesce to '' (the Trino syntax check lacks IS NOT DISTINCT FROM; '' is no lake value).
  LEFT JOIN key_matches m ON coalesce(m.utm_source, '') = coalesce(k.utm_source, '') AND coalesce(m.utm_medium, '') = coalesce(k.utm_medium, '')
    AND coalesce(m.utm_campaign, '') = coalesce(k.utm_campaign, '') AND coalesce(m.referrer_domain, '') = coalesce(k.referrer_domain, '')
    AND coalesce(m.click_id_type, '') = coalesce(k.click_id_type, '')
  LEFT JOIN channel_rules r ON r.ord = m.ord
)
