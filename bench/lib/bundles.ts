import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { buildApp } from '../../infra/build.js';

/**
 * Synthesizes the real CDK app (esbuild bundling exactly as deployed) and returns the size of each
 * function's bundle, keyed by the asset's handler file.
 */
export function functionBundleSizes(): { asset: string; bytes: number; gzipBytes: number }[] {
  const outdir = mkdtempSync(join(tmpdir(), 'nurture-bench-cdk-'));
  try {
    const { app } = buildApp(
      { 'nurture:writeKeys': ['bench_write_key_1'], 'nurture:allowedOrigins': ['https://www.example.com'] },
      { outdir },
    );
    app.synth();
    const out: { asset: string; bytes: number; gzipBytes: number }[] = [];
    for (const dir of readdirSync(outdir)) {
      const path = join(outdir, dir);
      if (!dir.startsWith('asset.') || !statSync(path).isDirectory()) continue;
      for (const file of readdirSync(path)) {
        if (!/\.m?js$/.test(file)) continue;
        const code = readFileSync(join(path, file));
        out.push({ asset: `${dir}/${file}`, bytes: code.length, gzipBytes: gzipSync(code).length });
      }
    }
    return out;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
