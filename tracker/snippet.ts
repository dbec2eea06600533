/**
 * The copy-paste tracker snippet: defines the `nurture` command queue, queues init and the first page
 * view, and loads nurture.js asynchronously (it replays the queue in order). Pure, and the only place
 * the snippet is written: the build (tracker/dist/snippet.html), the demo site's pages (a test checks
 * them), and the stack's `TrackerSnippet` output (infra/stack.ts) all use it.
 */
import { cssId, personalizeCss, personalizeTimeoutMs, waitClass } from './src/personalize-core.js';

export interface SnippetOptions {
  /** API base URL, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com (may be a CDK token: embedded verbatim). */
  api: string;
  /** Public write key of the source. */
  writeKey: string;
  /** URL of nurture.min.js (default `/nurture.min.js`: the site serves tracker/dist/nurture.min.js there). */
  src?: string;
  /**
   * The anonymous id cookie's Domain (`.example.com`), so a site and its landing pages on a subdomain
   * (`lp.example.com`) share one visitor; default: the page's own host.
   */
  cookieDomain?: string;
}

/** A JS string literal that is safe inside an HTML <script> element. */
const jsString = (s: string) => JSON.stringify(s).replace(/</g, '\\u003c');
/** An HTML attribute value. */
const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function snippet({ api, writeKey, src = '/nurture.min.js', cookieDomain }: SnippetOptions): string {
  return (
    '<script>\n' +
    'window.nurture = window.nurture || function(){(window.nurture.q = window.nurture.q || []).push(arguments)};\n' +
    `nurture('init', {api: ${jsString(api)}, writeKey: ${jsString(writeKey)}${cookieDomain ? `, cookieDomain: ${jsString(cookieDomain)}` : ''}});\n` +
    "nurture('page');\n" +
    '</script>\n' +
    `<script async src="${attr(src)}"></script>\n`
  );
}

/**
 * The personalization head snippet: the style rule hiding marked elements and the wait class with its
 * timeout (set before first paint, so a visitor never sees the wrong variant), and the add-on script.
 * Paste it into <head> above the tracker snippet. If the add-on never loads, the defaults show after
 * the timeout.
 */
export function personalizeSnippet({ src = '/nurture-personalize.min.js' }: { src?: string } = {}): string {
  return (
    `<style id="${cssId}">${personalizeCss}</style>\n` +
    `<script>(function(e){e.classList.add('${waitClass}');setTimeout(function(){e.classList.remove('${waitClass}')},${personalizeTimeoutMs})})(document.documentElement);</script>\n` +
    `<script async src="${attr(src)}"></script>\n`
  );
}
