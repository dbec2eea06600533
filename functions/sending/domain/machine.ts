/**
 * Opens and clicks that no person made. Mailbox providers fetch every image of a mail on their own
 * (Apple Mail Privacy Protection when the mail reaches the device),
 * mail security gateways follow every link of a mail on delivery (Microsoft Defender Safe Links,
 * Proofpoint, Mimecast, Barracuda), and locally the SES inbox page loads every mail's images as soon as it
 * lists them. Such fetches are still recorded ("Email Opened" / "Email Link Clicked" with
 * `properties.machine: true` and a `machineReason`) but never score, resume a scenario or reach its goal.
 *
 * What can be told, and how:
 * - `proxy` (opens): the image proxies' user agents. Apple MPP fetches with the bare `Mozilla/5.0`
 *   (spamresource.com, "Let's track Apple MPP opens", 2022: about 95% of such opens were MPP), when the
 *   mail reaches the device: it says nothing about whether the person read it. Gmail's
 *   (`… GoogleImageProxy`) and Yahoo's (`YahooMailProxy`) proxies fetch when the person opens the mail,
 *   so their opens count as a person's, though isbot flags their user agents.
 * - `scanner`: user agents of scanners that say what they are (`Barracuda Sentinel (EE)`, listed in
 *   Braze's bot-click documentation) and anything else isbot recognizes as automated.
 * - `too-fast` (clicks): within {@link tooFastClickMs} of the send. Scanners that look like browsers
 *   (Safe Links opens links in a sandboxed Chrome) give themselves away only by when they click.
 * - `honeypot` (clicks): a link no person sees (see links.ts `addHoneypot`) was followed; it and that
 *   send's other clicks within {@link honeypotWindowMs} after it are a scanner's.
 * - `local-inbox`: the fetch was made by the local SES inbox page (its origin in `Referer`, or a browser's
 *   image load: `Sec-Fetch-Dest: image`), except a navigation a person started there (`Sec-Fetch-Mode:
 *   navigate` with `Sec-Fetch-User: ?1`). Only where a local inbox is configured (`npm start`).
 *
 * What cannot be told: IP addresses are not used. Apple MPP fetches through iCloud Private Relay egress
 * addresses (Apple publishes them, a list of hundreds of thousands of ranges on Cloudflare, Akamai and
 * Fastly that people's own browsing shares, so an address proves nothing about a click), Gmail's proxy
 * already names itself, and the gateways publish no ranges for their scanners. A scanner with a browser's
 * user agent that clicks after the window and never follows the honeypot counts as a person.
 */
import { isbot } from 'isbot';

export type MachineReason = 'proxy' | 'scanner' | 'too-fast' | 'honeypot' | 'local-inbox';

/** What a request says about who made it (from its headers). */
export interface FetchSignals {
  userAgent?: string;
  referer?: string;
  /** `Sec-Fetch-Dest`: `image` when a page loaded the URL as an image. */
  fetchDest?: string;
  /** `Sec-Fetch-Mode`: `navigate` for a page load. */
  fetchMode?: string;
  /** `Sec-Fetch-User`: `?1` when a person's action (a click) started the navigation. */
  fetchUser?: string;
}

/** When a send went out and when its honeypot link was last followed (ISO times). */
export interface SendTimes {
  sentAt?: string;
  honeypotAt?: string;
}

/**
 * A click this soon after the send is a scanner's. SES hands a mail over within seconds and gateways scan
 * it on arrival; a person has to see it arrive, open it and find the link, which takes longer. A longer
 * window would start to catch people who act on a notification at once (a confirmation mail).
 */
export const tooFastClickMs = 10_000;

/**
 * After the honeypot link of a send is followed, that send's clicks this long are the same scanner's: a
 * gateway follows a mail's links within seconds of each other. Kept short, since a person's click after
 * a scan must still count.
 */
export const honeypotWindowMs = 60_000;

/** Image proxies that fetch every mail whether or not it is read, by user agent. */
const imageProxies: readonly RegExp[] = [
  /^Mozilla\/5\.0$/, // Apple Mail Privacy Protection
];
/**
 * Image proxies that fetch when the person opens the mail (Gmail's and Yahoo's caching proxies): the open
 * is real, though its user agent is the proxy's and isbot calls it a bot.
 */
const openingProxies: readonly RegExp[] = [
  /\bGoogleImageProxy\b/, // Gmail
  /^YahooMailProxy\b/, // Yahoo Mail
];

/** Mail security scanners that isbot does not know (isbot already knows e.g. `Barracuda Sentinel (EE)`). */
const scanners: readonly RegExp[] = [
  // A scanner of Microsoft mail ("Edge/12.246" with a second "Mozilla/5.0" appended), on GMass's list of false opens.
  /Edge\/12\.246 Mozilla\/5\.0$/,
];

/** The signals of a request's headers (names lower-cased). */
export function signalsOf(headers: Record<string, string | undefined>): FetchSignals {
  const s: FetchSignals = {};
  if (headers['user-agent']) s.userAgent = headers['user-agent'];
  if (headers.referer) s.referer = headers.referer;
  if (headers['sec-fetch-dest']) s.fetchDest = headers['sec-fetch-dest'];
  if (headers['sec-fetch-mode']) s.fetchMode = headers['sec-fetch-mode'];
  if (headers['sec-fetch-user']) s.fetchUser = headers['sec-fetch-user'];
  return s;
}

/**
 * Made by the local inbox page: its origin in `Referer`, or any browser's image load of a link of a mail
 * while there is a local inbox (locally mail is shown nowhere else). The inbox renders each mail in an
 * `about:blank` frame, and browsers send no `Referer` from such frames, so the image load is the sign.
 */
function fromInbox(s: FetchSignals, inboxOrigins: readonly string[]): boolean {
  if (inboxOrigins.length === 0) return false;
  if (s.fetchDest === 'image') return true;
  try {
    return s.referer !== undefined && inboxOrigins.includes(new URL(s.referer).origin);
  } catch {
    return false;
  }
}

const isScanner = (ua: string | undefined) => ua !== undefined && (scanners.some((p) => p.test(ua)) || isbot(ua));

/** Why an open-pixel fetch is a machine's, or undefined for a person's (as far as can be told). */
export function machineOpen(s: FetchSignals, inboxOrigins: readonly string[]): MachineReason | undefined {
  if (fromInbox(s, inboxOrigins)) return 'local-inbox';
  if (s.userAgent && imageProxies.some((p) => p.test(s.userAgent!))) return 'proxy';
  if (s.userAgent && openingProxies.some((p) => p.test(s.userAgent!))) return undefined;
  if (isScanner(s.userAgent)) return 'scanner';
  return undefined;
}

/** Why a click is a machine's by the request alone (no timing), or undefined. */
export function machineClick(s: FetchSignals, inboxOrigins: readonly string[]): MachineReason | undefined {
  const personNavigated = s.fetchMode === 'navigate' && s.fetchUser === '?1';
  if (fromInbox(s, inboxOrigins) && !personNavigated) return 'local-inbox';
  if (isScanner(s.userAgent)) return 'scanner';
  return undefined;
}

/** Why a click is a machine's by its time: right after a honeypot hit, or right after the send. */
export function machineClickTiming(send: SendTimes | undefined, now: Date): MachineReason | undefined {
  const since = (iso: string | undefined) => (iso ? now.getTime() - Date.parse(iso) : Number.NaN);
  const afterHoneypot = since(send?.honeypotAt);
  if (afterHoneypot >= 0 && afterHoneypot <= honeypotWindowMs) return 'honeypot';
  if (since(send?.sentAt) < tooFastClickMs) return 'too-fast';
  return undefined;
}
