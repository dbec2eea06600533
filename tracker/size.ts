/**
 * Builds the browser tracker in memory and measures it. Used by tracker/build.ts, the unit test that
 * guards the size budget, and benchmarks.
 */
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** Hard budget for nurture.min.js, minified and gzipped. */
export const GZIP_BUDGET = 3072;
/** Hard budget for nurture-personalize.min.js (recommendations and show/hide), minified and gzipped. */
export const PERSONALIZE_GZIP_BUDGET = 1536;

/** Hard budget for nurture-forms.min.js (the embeddable form with the shared validator), minified and gzipped. */
export const FORMS_GZIP_BUDGET = 4096;

export const trackerEntry = fileURLToPath(new URL('./src/index.ts', import.meta.url));
export const personalizeEntry = fileURLToPath(new URL('./src/personalize.ts', import.meta.url));

export const formsEntry = fileURLToPath(new URL('./src/forms.ts', import.meta.url));
/** The minified IIFE bundle of tracker/src/forms.ts (it bundles functions/forms/domain/fields.ts and form-html.ts). */
export const bundleForms = () => bundleTracker(formsEntry);

/** The minified IIFE bundle of tracker/src/personalize.ts, built like the tracker. */
export const bundlePersonalize = () => bundleTracker(personalizeEntry);

/** The minified IIFE bundle of tracker/src/index.ts (or another entry) (ES2017), as text. */
export async function bundleTracker(entry = trackerEntry): Promise<string> {
  const r = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    minify: true,
    target: 'es2017',
    platform: 'browser',
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  return r.outputFiles[0]!.text;
}

/** Sizes in bytes of a bundle: minified, and minified + gzip (zlib defaults). */
export function measure(code: string): { minBytes: number; gzipBytes: number } {
  const buf = Buffer.from(code, 'utf8');
  return { minBytes: buf.length, gzipBytes: gzipSync(buf).length };
}

/** Builds the tracker and returns its sizes. */
export async function trackerSize(): Promise<{ minBytes: number; gzipBytes: number }> {
  return measure(await bundleTracker());
}
