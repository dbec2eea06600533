/**
 * The media registry as the SQL reports take it: the `{{channel_rules}}` VALUES table the "classify"
 * fragment (functions/analytics/reports/_classify.sql) joins. Pure.
 */
import { type SqlLiteral, sqlValues } from '../../analytics/domain/sql.js';
import { type Medium, ruleRows } from './registry.js';

/** The rule rows of `media` as `(VALUES …) AS t(ord, medium_id, medium_name, grp, source_re, medium_re, campaign_re, referrer_re, click_re)`. */
export function channelRulesLiteral(media: readonly Medium[]): SqlLiteral {
  const rows = ruleRows(media);
  // A registry whose every medium has no alternative still needs one row: one that never matches (`a^`).
  const cells = rows.length > 0 ? rows.map((r) => [r.ord, r.mediumId, r.mediumName, r.group, r.source, r.medium, r.campaign, r.referrer, r.clickId]) : [[0, 'none', 'none', 'other', 'a^', '', '', '', '']];
  return sqlValues(['ord', 'medium_id', 'medium_name', 'grp', 'source_re', 'medium_re', 'campaign_re', 'referrer_re', 'click_re'], cells);
}
