/**
 * Slack: an incoming webhook message, `POST <webhook URL>` with `{text, blocks}` (text is the notification
 * fallback). Text from the lead is escaped: Slack reads &, < and > as control characters and wants them as
 * &amp; &lt; &gt; (https://api.slack.com/reference/surfaces/formatting#escaping).
 */
import type { DestinationDefinition } from '../definition.js';
import { type Delivery, jsonHeaders, type LeadFacts } from '../delivery.js';

/** Longest text of a section block (Slack: 3,000 characters). */
export const slackSectionChars = 3000;

type Mapping = Extract<DestinationDefinition, { preset: 'slack' }>['mapping'];

/** Escapes Slack's control characters in text meant to be shown as is. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function renderSlack(m: Mapping, f: LeadFacts): Delivery {
  const who = escapeSlack(f.email ?? f.name ?? f.profileId);
  const headline = `*${escapeSlack(m.title)}*: ${who}. ${escapeSlack(f.reason)}`.slice(0, slackSectionChars);
  const field = (label: string, value: string) => ({ type: 'mrkdwn', text: `*${label}*\n${escapeSlack(value)}` });
  const fields = [
    field('Email', f.email ?? '-'),
    field('Stage', f.stage ?? '-'),
    field('Score', f.score === undefined ? '-' : String(f.score)),
    ...(f.company ? [field('Company', f.company)] : []),
  ];
  return {
    method: 'POST',
    path: '',
    headers: { ...jsonHeaders },
    body: {
      text: `${escapeSlack(m.title)}: ${who}. ${escapeSlack(f.reason)}`,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: headline } },
        { type: 'section', fields },
        { type: 'section', text: { type: 'mrkdwn', text: `<${escapeSlack(f.url)}|Open the lead in Nurture>` } },
      ],
    },
  };
}
