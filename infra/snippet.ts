/** What the tracker snippet needs to know. */
export interface SnippetOptions {
  /** Base URL of the HTTP API (the ApiUrl output). May be a CDK token; it is embedded verbatim. */
  readonly api: string;
  readonly writeKey: string;
  /** Where the site serves tracker/dist/nurture.min.js. */
  readonly src?: string;
}

/**
 * The copy-paste snippet for a site's <head>: a command queue that records calls until the tracker
 * loads, the init and first page view, and the asynchronous tracker script itself.
 */
export function trackerSnippet({ api, writeKey, src = '/nurture.min.js' }: SnippetOptions): string {
  const init = scriptLiteral({ api, writeKey });
  return [
    '<!-- Nurture: host tracker/dist/nurture.min.js on your site at the src below -->',
    '<script>',
    'window.nurture=window.nurture||function(){(window.nurture.q=window.nurture.q||[]).push(arguments)};',
    `nurture('init',${init});`,
    "nurture('page');",
    '</script>',
    `<script async src="${htmlAttribute(src)}"></script>`,
  ].join('');
}

function htmlAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** JSON is valid JavaScript; escaping `<` keeps a value from closing the inline <script> early. */
function scriptLiteral(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}
