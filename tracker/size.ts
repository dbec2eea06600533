/**
 * Builds the browser tracker in memory and measures it. Used by tracker/build.ts, the unit test that
 * guards the size budget, and benchmarks.
 */
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** Hard budget for nurture.min.js, minified and gzipped. */
export const GZIP_BUDGET = 3072;

export const trackerEntry = fileURLToPath(new URL('./src/index.ts', import.meta.url));

/** The minified IIFE bundle of tracker/src/index.ts (ES2017), as text. */
export async function bundleTracker(): Promise<string> {
  const r = await build({
    entryPoints: [trackerEntry],
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
