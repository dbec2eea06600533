/**
 * Local mode says so when it does not score bot traffic. isbot rightly flags headless browsers (they
 * announce "HeadlessChrome"), so a newcomer trying the demo site with Playwright or Puppeteer would
 * otherwise see nothing happen and no reason why.
 */
import type { KinesisStreamEvent } from 'aws-lambda';

/** At most one notice a minute, however much bot traffic arrives. */
export const botNoticeEveryMs = 60_000;
/** Characters of the user agent quoted in the notice (a browser's is 100-150). */
const quotedAgentChars = 160;

interface Envelope {
  context?: { userAgent?: unknown };
  properties?: { machine?: unknown };
  nurture?: { bot?: boolean };
}

function bots(event: KinesisStreamEvent): Envelope[] {
  const out: Envelope[] = [];
  for (const r of event.Records) {
    try {
      const e = JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString('utf8')) as Envelope;
      // Opens and clicks told apart as a machine's (mail proxies, scanners, the SES inbox page) are expected.
      if (e?.nurture?.bot === true && e.properties?.machine !== true) out.push(e);
    } catch {
      // Not an event envelope: the stream processor reports it.
    }
  }
  return out;
}

/** Returns a function to call with every batch the stream processor gets; it prints the notice when due. */
export function botNotice(print: (line: string) => void = console.log, now: () => number = Date.now) {
  let last = -Infinity;
  return function noticeBots(event: KinesisStreamEvent): void {
    if (now() - last < botNoticeEveryMs) return;
    const found = bots(event);
    if (found.length === 0) return;
    last = now();
    const agent = found.map((e) => e.context?.userAgent).find((ua): ua is string => typeof ua === 'string');
    const quoted = agent ? ` (user agent "${agent.slice(0, quotedAgentChars)}${agent.length > quotedAgentChars ? '…' : ''}")` : '';
    print(
      `[scoring] ${found.length} event(s) from a bot not scored${quoted}: bots never score, and headless browsers ` +
        '(Playwright, Puppeteer) count as bots. Browse with a normal browser or give the headless one a regular ' +
        'user agent; see "Bots and headless browsers" in the README. (At most one such line a minute.)',
    );
  };
}
