import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { buildApp } from '../../infra/build.js';

/** The real CDK app with a bench context, bundling its functions into `outdir` on synth as `cdk deploy` does. */
export function buildBenchApp(outdir: string) {
  return buildApp(
    {
      'nurture:writeKeys': ['bench_write_key_1'],
      'nurture:allowedOrigins': ['https://www.example.com'],
      'nurture:senderAddress': 'news@mail.example.com',
    },
    { outdir },
  );
}

/**
 * Synthesizes the real CDK app (esbuild bundling exactly as deployed) and returns the size of each
 * function's bundle, keyed by the asset's handler file.
 */
export function functionBundleSizes(): { asset: string; fn: string; bytes: number; gzipBytes: number }[] {
  const outdir = mkdtempSync(join(tmpdir(), 'nurture-bench-cdk-'));
  try {
    const { app, stack } = buildBenchApp(outdir);
    const assembly = app.synth();
    // Which function each asset belongs to, from the template's Code.S3Key (the asset hash).
    const template = assembly.getStackArtifact(stack.artifactId).template as {
      Resources: Record<string, { Type: string; Properties?: { Code?: { S3Key?: string } } }>;
    };
    const owner = new Map<string, string>();
    for (const [id, r] of Object.entries(template.Resources)) {
      const key = r.Type === 'AWS::Lambda::Function' ? r.Properties?.Code?.S3Key : undefined;
      if (key) owner.set(key.replace(/\.zip$/, ''), id.replace(/[0-9A-F]{8}$/, ''));
    }
    const out: { asset: string; fn: string; bytes: number; gzipBytes: number }[] = [];
    for (const dir of readdirSync(outdir)) {
      const path = join(outdir, dir);
      if (!dir.startsWith('asset.') || !statSync(path).isDirectory()) continue;
      for (const file of readdirSync(path)) {
        if (!/\.m?js$/.test(file)) continue;
        const code = readFileSync(join(path, file));
        out.push({ asset: `${dir}/${file}`, fn: owner.get(dir.slice('asset.'.length)) ?? dir, bytes: code.length, gzipBytes: gzipSync(code).length });
      }
    }
    return out;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
