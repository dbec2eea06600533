import { describe, expect, it } from 'vitest';
import type { CollectedEvent } from '../../../functions/ingest/domain/enrich.js';
import { emailEvent } from '../../../functions/sending/domain/feedback.js';
import { type MailLinkPorts, recordClick } from '../../../functions/sending/domain/mail-links.js';
import { addHoneypot } from '../../../functions/sending/domain/links.js';
import {
  type FetchSignals,
  honeypotWindowMs,
  machineClick,
  machineClickTiming,
  machineOpen,
  signalsOf,
  tooFastClickMs,
} from '../../../functions/sending/domain/machine.js';
import { type LinkClaims, signToken } from '../../../functions/sending/domain/tokens.js';

// User agents as they appear in the documentation and reports cited in functions/sending/domain/machine.ts.
const agents = {
  appleMpp: 'Mozilla/5.0',
  gmailProxy: 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
  yahooProxy: 'YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html',
  barracuda: 'Barracuda Sentinel (EE)',
  microsoftScanner:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/42.0.2311.135 Safari/537.36 Edge/12.246 Mozilla/5.0',
  // People: Apple Mail without MPP, Outlook for Windows, Chrome, iPhone Safari.
  appleMail: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  outlook: 'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.4266; Pro)',
  chrome: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  safari: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
};
const inbox = ['http://127.0.0.1:4775', 'http://localhost:4775'];
const ua = (userAgent: string): FetchSignals => ({ userAgent });

describe('opens no person made', () => {
  it('are the mailbox providers’ image proxies: Apple Mail Privacy Protection, Gmail, Yahoo', () => {
    expect(machineOpen(ua(agents.appleMpp), [])).toBe('proxy');
    // Gmail and Yahoo fetch through their proxies when the person opens the mail: a real open.
    expect(machineOpen(ua(agents.gmailProxy), [])).toBeUndefined();
    expect(machineOpen(ua(agents.yahooProxy), [])).toBeUndefined();
  });

  it('are scanners that say what they are, or that isbot knows', () => {
    expect(machineOpen(ua(agents.barracuda), [])).toBe('scanner');
    expect(machineOpen(ua(agents.microsoftScanner), [])).toBe('scanner');
    expect(machineOpen(ua('python-requests/2.32.3'), [])).toBe('scanner');
  });

  it('are the local inbox page loading every mail’s images, whatever browser shows it', () => {
    const fromInbox = { userAgent: agents.chrome, referer: 'http://127.0.0.1:4775/' };
    expect(machineOpen(fromInbox, inbox)).toBe('local-inbox');
    expect(machineOpen({ ...fromInbox, referer: 'http://localhost:4775/' }, inbox)).toBe('local-inbox');
    expect(machineOpen({ ...fromInbox, referer: 'http://127.0.0.1:4771/' }, inbox)).toBeUndefined();
    expect(machineOpen({ ...fromInbox, referer: 'not a url' }, inbox)).toBeUndefined();
    expect(machineOpen(fromInbox, [])).toBeUndefined();
    // Chromium sends no Referer from the about:blank frames the inbox renders mail in: the image load tells.
    const imageLoad = { userAgent: agents.chrome, fetchDest: 'image', fetchMode: 'no-cors' };
    expect(machineOpen(imageLoad, inbox)).toBe('local-inbox');
    expect(machineOpen(imageLoad, [])).toBeUndefined();
  });

  it('leaves mail clients people read with as people', () => {
    for (const person of [agents.appleMail, agents.outlook, agents.chrome, agents.safari]) expect(machineOpen(ua(person), inbox)).toBeUndefined();
    expect(machineOpen({}, inbox)).toBeUndefined();
  });
});

describe('clicks no person made', () => {
  it('are scanners by user agent (a bare Mozilla/5.0 clicks nothing a person sees)', () => {
    expect(machineClick(ua(agents.barracuda), [])).toBe('scanner');
    expect(machineClick(ua(agents.microsoftScanner), [])).toBe('scanner');
    expect(machineClick(ua(agents.appleMpp), [])).toBe('scanner');
    expect(machineClick(ua(agents.chrome), [])).toBeUndefined();
  });

  it('are the local inbox page’s own fetches, but not a person clicking a link in it', () => {
    const fromInbox = { userAgent: agents.chrome, referer: 'http://127.0.0.1:4775/' };
    expect(machineClick(fromInbox, inbox)).toBe('local-inbox');
    expect(machineClick({ ...fromInbox, fetchMode: 'navigate', fetchUser: '?1' }, inbox)).toBeUndefined();
  });

  it(`come within ${tooFastClickMs / 1000} s of the send, or within ${honeypotWindowMs / 1000} s after the honeypot was followed`, () => {
    const now = new Date('2026-05-01T10:00:00Z');
    const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
    expect(machineClickTiming({ sentAt: ago(tooFastClickMs - 1) }, now)).toBe('too-fast');
    expect(machineClickTiming({ sentAt: ago(tooFastClickMs + 1000) }, now)).toBeUndefined();
    expect(machineClickTiming({ sentAt: ago(600_000), honeypotAt: ago(honeypotWindowMs - 1000) }, now)).toBe('honeypot');
    expect(machineClickTiming({ sentAt: ago(600_000), honeypotAt: ago(honeypotWindowMs + 1000) }, now)).toBeUndefined();
    expect(machineClickTiming(undefined, now)).toBeUndefined();
  });

  it('read their signals from the request headers', () => {
    expect(signalsOf({ 'user-agent': agents.chrome, referer: 'http://x/', 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate', 'sec-fetch-user': '?1', accept: '*/*' })).toEqual({
      userAgent: agents.chrome,
      referer: 'http://x/',
      fetchDest: 'document',
      fetchMode: 'navigate',
      fetchUser: '?1',
    });
  });
});

describe('machine opens and clicks on the events stream', () => {
  const claims: LinkClaims = { p: 'p_1', s: 's_1', t: 'welcome', c: 'marketing', k: 'general' };
  const now = new Date('2026-05-01T10:00:00Z');

  it('are still "Email Opened" / "Email Link Clicked", marked with their reason and flagged as a bot’s', () => {
    const machine = emailEvent('Email Link Clicked', claims, { now, url: 'https://shop.example/', userAgent: agents.chrome, machine: 'too-fast' });
    expect(machine).toMatchObject({ event: 'Email Link Clicked', properties: { machine: true, machineReason: 'too-fast', sendId: 's_1' }, nurture: { bot: true, profileId: 'p_1' } });
    const person = emailEvent('Email Link Clicked', claims, { now, url: 'https://shop.example/', userAgent: agents.chrome });
    expect(person.properties).not.toHaveProperty('machine');
    expect(person.nurture?.bot).toBe(false);
    // A person's click in the same minute as a scanner's is not taken for a repeat of it.
    expect(person.messageId).not.toBe(machine.messageId);
  });
});

describe('the honeypot link', () => {
  it('comes first in the body, hidden from sight, screen readers and the tab order, with no text', () => {
    const html = addHoneypot('<html><body class="x"><p><a href="https://shop.example/">Shop</a></p></body></html>', 'https://api.example/v1/t/c/tok');
    expect(html).toContain('<body class="x"><a aria-hidden="true" tabindex="-1" style="display:none;mso-hide:all" href="https://api.example/v1/t/c/tok"></a><p>');
    expect(addHoneypot('<p>no body tag</p>', 'https://h/')).toMatch(/^<a aria-hidden="true"[^>]*href="https:\/\/h\/"><\/a><p>/);
  });
});

describe('a click when the send record cannot be read or written', () => {
  const secret = 'machine-test-secret-0123456789abcdef';
  const claims: LinkClaims = { p: 'p_1', s: 's_1', t: 'welcome', c: 'marketing', k: 'general' };
  const failing = () => {
    const fed: CollectedEvent[] = [];
    const logged: string[] = [];
    const ports = {
      secret,
      base: 'https://api.example',
      store: {
        sendTimes: async () => Promise.reject(new Error('ProvisionedThroughputExceededException')),
        markHoneypot: async () => Promise.reject(new Error('ProvisionedThroughputExceededException')),
      },
      feed: async (events: CollectedEvent[]) => {
        fed.push(...events);
      },
      inboxOrigins: [],
      now: () => new Date(),
      log: (message: string) => logged.push(message),
    } as unknown as MailLinkPorts;
    return { ports, fed, logged };
  };

  it('still redirects, and counts as a person’s (the failure is logged)', async () => {
    const { ports, fed, logged } = failing();
    const token = signToken(secret, 'click', { ...claims, u: 'https://shop.example/sale' });
    expect(await recordClick(token, { userAgent: agents.chrome }, ports)).toBe('https://shop.example/sale');
    expect(fed[0]).toMatchObject({ event: 'Email Link Clicked', nurture: { bot: false } });
    expect(logged).toEqual(['send times read failed']);
  });

  it('still redirects the honeypot link, recorded as a machine’s', async () => {
    const { ports, fed } = failing();
    const token = signToken(secret, 'click', { ...claims, u: 'https://api.example/v1/v/tok', h: 1 });
    expect(await recordClick(token, { userAgent: agents.chrome }, ports)).toBe('https://api.example/v1/v/tok');
    expect(fed[0]).toMatchObject({ properties: { machine: true, machineReason: 'honeypot' }, nurture: { bot: true } });
  });
});
