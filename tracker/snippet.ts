/**
 * The copy-paste tracker snippet: defines the `nurture` command queue, queues init and the first page
 * view, and loads nurture.js asynchronously (it replays the queue in order). Pure; used by the build
 * (tracker/dist/snippet.html), docs and tests.
 */

export interface SnippetOptions {
  /** API base URL, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com */
  api: string;
  /** Public write key of the source. */
  writeKey: string;
  /** URL of nurture.min.js. */
  src: string;
}

/** A JS string literal that is safe inside an HTML <script> element. */
const jsString = (s: string) => JSON.stringify(s).replace(/</g, '\\u003c');
/** An HTML attribute value. */
const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function snippet({ api, writeKey, src }: SnippetOptions): string {
  return (
    '<script>\n' +
    'window.nurture = window.nurture || function(){(window.nurture.q = window.nurture.q || []).push(arguments)};\n' +
    `nurture('init', {api: ${jsString(api)}, writeKey: ${jsString(writeKey)}});\n` +
    "nurture('page');\n" +
    '</script>\n' +
    `<script async src="${attr(src)}"></script>\n`
  );
}
