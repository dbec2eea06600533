import type { CollectedEvent } from '../../ingest/domain/enrich.js';
import { globPattern } from '../../shared/glob.js';
import type { Match, ValueTest } from './rules.js';

const globCache = new Map<string, RegExp>();

/** Glob to RegExp (shared/glob.ts), case-insensitive: `*` within one path segment, `**` across segments. */
export function globToRegExp(glob: string): RegExp {
  let re = globCache.get(glob);
  if (!re) {
    re = new RegExp(globPattern(glob), 'i');
    globCache.set(glob, re);
  }
  return re;
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * Text and number of a value from an event, never calling its own methods: `String(v)` on an object with
 * a `toString` or `valueOf` key that is not a function throws, and such keys are any client's to send.
 */
const textOf = (v: unknown): string => (Array.isArray(v) ? v.map(textOf).join(',') : typeof v === 'object' && v !== null ? '[object Object]' : String(v));
const numberOf = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' || typeof v === 'boolean' ? Number(v) : Number.NaN);

/** Tests one value (a property or trait) against a rule's value test. */
export function testValue(test: ValueTest, value: unknown): boolean {
  if (test === null || typeof test !== 'object') return value === test || (typeof value === 'string' && typeof test === 'string' && value.toLowerCase() === test.toLowerCase());
  if (Array.isArray(test)) return test.some((t) => testValue(t, value));
  if (test.exists !== undefined && (value !== undefined && value !== null) !== test.exists) return false;
  if (test.exists === false) return true;
  if (value === undefined || value === null) return false;
  if (test.equals !== undefined && !testValue(test.equals, value)) return false;
  if (test.in !== undefined && !test.in.some((t) => testValue(t, value))) return false;
  const text = textOf(value).toLowerCase();
  if (test.contains !== undefined && !list(test.contains).some((c) => text.includes(c.toLowerCase()))) return false;
  if (test.glob !== undefined && !list(test.glob).some((g) => globToRegExp(g).test(textOf(value)))) return false;
  if (test.domain !== undefined) {
    const domain = text.slice(text.lastIndexOf('@') + 1);
    if (!list(test.domain).some((d) => domain === d.toLowerCase() || domain.endsWith(`.${d.toLowerCase()}`))) return false;
  }
  const n = numberOf(value);
  if (test.gte !== undefined && !(n >= test.gte)) return false;
  if (test.lte !== undefined && !(n <= test.lte)) return false;
  return true;
}

function getPath(obj: Record<string, unknown> | undefined, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    // Own fields only: a path `constructor` or `toString` names the event's field, never Object's.
    if (!cur || typeof cur !== 'object' || !Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Tests every field test (dotted paths allowed) against an object. */
export function testFields(tests: Record<string, ValueTest> | undefined, obj: Record<string, unknown> | undefined): boolean {
  if (!tests) return true;
  return Object.entries(tests).every(([path, test]) => testValue(test, getPath(obj, path)));
}

/** The page path of an event: context.page.path, else properties.path, else the URL's path. */
export function pathOf(event: Pick<CollectedEvent, 'context' | 'properties'>): string | undefined {
  const page = event.context.page as { path?: unknown; url?: unknown } | undefined;
  if (typeof page?.path === 'string') return page.path;
  if (typeof event.properties?.path === 'string') return event.properties.path;
  if (typeof page?.url === 'string') {
    try {
      return new URL(page.url).pathname;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Message types whose `properties` mean something (Segment spec); on others they are stray fields. */
const withProperties = new Set(['track', 'page', 'screen']);

/**
 * Does a behaviour rule's match hold for this event (with the profile's traits after the event)? An
 * event name belongs to track calls only, properties to track/page/screen: an identify carrying a stray
 * `event: "Form Submitted"` (unknown fields are kept, as Segment does) never scores as that event.
 */
export function matchesEvent(match: Match, event: CollectedEvent, traits: Record<string, unknown>): boolean {
  if (match.type !== undefined && !list(match.type).includes(event.type)) return false;
  const name = event.type === 'track' ? (event.event ?? '') : '';
  if (match.event !== undefined && !list(match.event).some((e) => e.toLowerCase() === name.toLowerCase())) return false;
  if (match.path !== undefined) {
    const path = pathOf(event);
    if (path === undefined || !list(match.path).some((g) => globToRegExp(g).test(path))) return false;
  }
  if (!testFields(match.properties, withProperties.has(event.type) ? event.properties : undefined)) return false;
  if (!testFields(match.traits, traits)) return false;
  return true;
}
