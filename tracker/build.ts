/**
 * Builds the browser tracker: tracker/dist/nurture.min.js (minified IIFE, ES2017), its add-on
 * tracker/dist/nurture-personalize.min.js, the embeddable form tracker/dist/nurture-forms.min.js, and
 * tracker/dist/snippet.html; prints the sizes, and fails when
 * a bundle is over its gzip budget.
 *
 *   npx tsx tracker/build.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FORMS_GZIP_BUDGET, GZIP_BUDGET, PERSONALIZE_GZIP_BUDGET, bundleForms, bundlePersonalize, bundleTracker, measure } from './size.js';
import { personalizeSnippet, snippet } from './snippet.js';

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

writeFileSync(
  dist + 'snippet-personalize.html',
  '<!-- Nurture personalization: paste into <head> before the tracker snippet (hides marked elements until the answer). -->\n' +
    personalizeSnippet({ src: '/nurture-personalize.min.js' }),
);
const addOn = await bundlePersonalize();
const addOnSize = measure(addOn);
writeFileSync(dist + 'nurture-personalize.min.js', addOn);
const forms = await bundleForms();
const formsSize = measure(forms);
writeFileSync(dist + 'nurture-forms.min.js', forms);

let over = false;
for (const [file, size, budget] of [
  ['nurture.min.js', { minBytes, gzipBytes }, GZIP_BUDGET],
  ['nurture-personalize.min.js', addOnSize, PERSONALIZE_GZIP_BUDGET],
  ['nurture-forms.min.js', formsSize, FORMS_GZIP_BUDGET],
] as const) {
  console.log(`tracker/dist/${file}: ${size.minBytes} bytes minified, ${size.gzipBytes} bytes min+gzip (budget ${budget})`);
  if (size.gzipBytes > budget) {
    console.error(`${file} is over budget by ${size.gzipBytes - budget} bytes min+gzip`);
    over = true;
  }
}
if (over) process.exit(1);
