/**
 * Builds the browser tracker: tracker/dist/nurture.min.js (minified IIFE, ES2017) and
 * tracker/dist/snippet.html, prints the sizes, and fails when the bundle is over its gzip budget.
 *
 *   npx tsx tracker/build.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GZIP_BUDGET, bundleTracker, measure } from './size.js';
import { snippet } from './snippet.js';

const dist = fileURLToPath(new URL('./dist/', import.meta.url));

const code = await bundleTracker();
const { minBytes, gzipBytes } = measure(code);
mkdirSync(dist, { recursive: true });
writeFileSync(dist + 'nurture.min.js', code);
writeFileSync(
  dist + 'snippet.html',
  '<!-- Nurture tracker: paste into <head> of every page; replace the API URL, write key and script URL. -->\n' +
    snippet({ api: '%%NURTURE_API%%', writeKey: '%%NURTURE_WRITE_KEY%%', src: '/nurture.min.js' }),
);

console.log(`tracker/dist/nurture.min.js: ${minBytes} bytes minified, ${gzipBytes} bytes min+gzip (budget ${GZIP_BUDGET})`);
if (gzipBytes > GZIP_BUDGET) {
  console.error(`tracker is over budget by ${gzipBytes - GZIP_BUDGET} bytes min+gzip`);
  process.exit(1);
}
