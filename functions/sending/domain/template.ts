import { convert } from 'html-to-text';
import { Drop, Liquid, type Template } from 'liquidjs';
import { noFileSystem } from '../../shared/liquid-sandbox.js';
import type { MailRecommendationSpec } from '../../recommendations/mail.js';
import type { Category } from './contract.js';
import { TemplateError } from '../errors.js';
import { addHoneypot, addOpenPixel, addPreheader, trackLinks } from './links.js';

/**
 * Template rendering: Liquid (liquidjs) with strict variables, no file system, no prototype access, lead
 * data HTML-escaped. The input is a template as checked and compiled at upload (MJML already turned into
 * HTML), so the send path never loads MJML or YAML.
 */

/** A template after its check: every part is Liquid source; `html` is HTML (MJML compiled). */
export interface CompiledTemplate {
  templateId: string;
  format: 'liquid' | 'mjml';
  category: Category;
  /** Subscription topic (per-topic unsubscribe); `general` when the template names none. */
  topic: string;
  subject: string;
  fromName?: string;
  replyTo?: string;
  preheader?: string;
  html: string;
  /** Text part; when absent it is derived from the rendered HTML. */
  text?: string;
  /** Products the send fills `recommendations` with for the recipient (front matter `recommendations`). */
  recommendations?: MailRecommendationSpec;
}

/** What a template sees. */
export interface TemplateVars {
  profile: {
    id: string;
    email?: string;
    traits: Record<string, unknown>;
    score: number;
    stage: string;
    timezone?: string;
    known: boolean;
  };
  /** The caller's context (scenario data); strict: a missing key is an error. */
  context: Record<string, unknown>;
  unsubscribe_url: string;
  view_url: string;
  /**
   * The recipient's products when the template's front matter asks for them (functions/recommendations/mail.ts),
   * else the caller's `context.recommendations`, else empty.
   */
  recommendations: unknown[];
  send: { id: string; template: string; scenario?: string };
  /** The sender's name and postal address (deployment settings nurture:senderName / nurture:senderPostalAddress). */
  sender?: { name: string; address: string };
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** Resource limits of one render (liquidjs' own guards): a template cannot hang or exhaust the function. */
export const renderLimits = {
  /** Characters of Liquid source parsed per part. */
  parseChars: 1_000_000,
  /** Milliseconds of rendering per part. */
  renderMs: 1_000,
  /** Allocation budget per part (liquidjs' approximate count of values created). */
  memory: 10_000_000,
} as const;

/** Traits are free-form: a trait the profile lacks is nil (so `| default:` works), not an error. */
class TraitsDrop extends Drop {
  constructor(private readonly traits: Record<string, unknown>) {
    super();
  }
  override liquidMethodMissing(key: string): unknown {
    return Object.hasOwn(this.traits, key) ? this.traits[key] : null;
  }
}


function engine(escape: boolean): Liquid {
  const liquid = new Liquid({
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    fs: noFileSystem('templates'),
    root: [],
    partials: [],
    layouts: [],
    relativeReference: false,
    dynamicPartials: false,
    parseLimit: renderLimits.parseChars,
    renderLimit: renderLimits.renderMs,
    memoryLimit: renderLimits.memory,
    ...(escape ? { outputEscape: 'escape' as const } : {}),
  });
  liquid.registerFilter('raw', () => {
    throw new Error('the raw filter is not allowed: lead data is always HTML-escaped');
  });
  return liquid;
}

/** HTML parts: every output is HTML-escaped. */
const htmlEngine = engine(true);
/** Subject and text part: plain text, nothing to escape. */
const textEngine = engine(false);

/** Parsed templates by source, bounded: a warm function renders the same few templates again and again. */
const parsedCacheSize = 200;
const parsed = new Map<string, Template[]>();

export function parseLiquid(source: string, html: boolean): Template[] {
  const key = `${html ? 'h' : 't'}${source}`;
  const hit = parsed.get(key);
  if (hit) return hit;
  const tpl = (html ? htmlEngine : textEngine).parse(source);
  if (parsed.size >= parsedCacheSize) parsed.delete(parsed.keys().next().value!);
  parsed.set(key, tpl);
  return tpl;
}

function scope(vars: TemplateVars): Record<string, unknown> {
  // Without a configured identity `sender.*` renders empty rather than failing the strict render.
  return { ...vars, sender: vars.sender ?? { name: '', address: '' }, profile: { ...vars.profile, traits: new TraitsDrop(vars.profile.traits) } };
}

async function renderPart(templateId: string, part: string, source: string, html: boolean, vars: Record<string, unknown>) {
  try {
    return await (html ? htmlEngine : textEngine).render(parseLiquid(source, html), vars);
  } catch (err) {
    throw new TemplateError(templateId, `${part}: ${(err as Error).message}`, { cause: err });
  }
}

/** Subject lines are one line: newlines from lead data or the template would break the header. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
}

/** Text part derived from HTML: links kept as `text [url]`, images dropped, 78-column lines. */
export function htmlToText(html: string): string {
  return convert(html, {
    wordwrap: 78,
    selectors: [
      { selector: 'img', format: 'skip' },
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    ],
  });
}

export interface Tracking {
  /** Nurture's public base URL: links under it (unsubscribe, view) are not tracked. */
  base: string;
  click(url: string): string;
  pixel?: string;
  /** URL of the hidden honeypot link (marketing mail), see links.ts `addHoneypot`. */
  honeypot?: string;
}

/**
 * Renders every part and assembles the mail: preheader first in the body, tracked links and the open
 * pixel in the HTML part, a text part (given or derived from the HTML before link tracking, so it stays
 * readable). Throws TemplateError naming the part on any template problem.
 */
export async function composeEmail(t: CompiledTemplate, vars: TemplateVars, tracking?: Tracking): Promise<RenderedEmail> {
  const s = scope(vars);
  const subject = oneLine(await renderPart(t.templateId, 'subject', t.subject, false, s));
  if (!subject) throw new TemplateError(t.templateId, 'subject: renders empty');
  const preheader = t.preheader ? await renderPart(t.templateId, 'preheader', t.preheader, true, s) : '';
  const body = await renderPart(t.templateId, 'html', t.html, true, s);
  const text = t.text ? await renderPart(t.templateId, 'text', t.text, false, s) : htmlToText(body);
  let html = addPreheader(body, preheader.trim());
  if (tracking) {
    html = trackLinks(html, tracking.base, tracking.click);
    if (tracking.pixel) html = addOpenPixel(html, tracking.pixel);
    if (tracking.honeypot) html = addHoneypot(html, tracking.honeypot);
  }
  return { subject, html, text };
}
