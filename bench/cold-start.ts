/**
 * `npm run bench:cold-start`: init CPU time of each deployed function's bundle (esbuild output exactly as
 * `cdk deploy` builds it), against a baseline measured in the same run: a module that loads only the
 * DynamoDB document client. Each figure is the median of `runs` fresh Node processes importing the bundle
 * (process.cpuUsage around the import, so disk and scheduling noise count less than wall time would).
 * Not a test; prints a table and saves bench/results/cold-start.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBenchApp } from './lib/bundles.js';
import { saveResults } from './lib/results.js';

/** Fresh processes per bundle; the median is reported. Bounded: 14 bundles × 7 runs ≈ 100 processes. */
const runs = 7;
const repoRoot = join(import.meta.dirname, '..');
// Under the repository, so the bundles' external @aws-sdk/* imports resolve from node_modules as the
// Lambda runtime's built-in SDK would.
const outdir = join(repoRoot, '.nurture', 'bench-cold-start');

function initCpuMs(file: string, env: Record<string, string>): number | string {
  const script = `const t = process.cpuUsage(); await import(${JSON.stringify(file)}); const u = process.cpuUsage(t); console.log((u.user + u.system) / 1000);`;
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
      encoding: 'utf8',
    });
    if (r.status !== 0) return (r.stderr.split('\n').find((l) => /Error/.test(l)) ?? 'failed').slice(0, 120);
    samples.push(Number(r.stdout.trim().split('\n').at(-1)));
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
}

/** Environment values of the template, with CloudFormation tokens replaced by plausible placeholders. */
function envOf(vars: Record<string, unknown> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) {
    out[k] = typeof v === 'string' ? v : /ARN/.test(k) ? 'arn:aws:states:us-east-1:000000000000:stateMachine:bench' : /URL/.test(k) ? 'https://bench.example.com' : 'bench';
  }
  // The link secret is read from Secrets Manager at cold start on AWS; here the module load alone counts.
  if ('LINK_SECRET_ARN' in out) out.LINK_SECRET = 'bench-link-secret-of-at-least-32-characters';
  return out;
}

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const { app, stack } = buildBenchApp(outdir);
const assembly = app.synth();
const template = assembly.getStackArtifact(stack.artifactId).template as {
  Resources: Record<string, { Type: string; Properties?: { Code?: { S3Key?: string }; Handler?: string; Environment?: { Variables?: Record<string, unknown> } } }>;
};

const baselineFile = join(outdir, 'baseline.mjs');
writeFileSync(baselineFile, "import '@aws-sdk/client-dynamodb'; import '@aws-sdk/lib-dynamodb';\n");
const baseline = initCpuMs(baselineFile, {});
if (typeof baseline !== 'number') throw new Error(`baseline failed: ${baseline}`);

const rows: { fn: string; ms: number | string }[] = [];
for (const [id, r] of Object.entries(template.Resources)) {
  const key = r.Type === 'AWS::Lambda::Function' ? r.Properties?.Code?.S3Key : undefined;
  if (!key || !r.Properties?.Handler?.startsWith('index.')) continue;
  const fn = id.replace(/[0-9A-F]{8}$/, '');
  rows.push({ fn, ms: initCpuMs(join(outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs'), envOf(r.Properties.Environment?.Variables)) });
}

console.log(`baseline (DynamoDB document client only): ${baseline.toFixed(0)} ms init CPU, median of ${runs}`);
console.log(`${'function'.padEnd(36)} ${'init CPU ms'.padStart(12)} ${'× baseline'.padStart(11)}`);
const figures: Record<string, number> = { baselineInitCpuMs: baseline };
for (const { fn, ms } of rows.sort((a, b) => a.fn.localeCompare(b.fn))) {
  if (typeof ms !== 'number') {
    console.log(`${fn.padEnd(36)} ${'error'.padStart(12)}  ${ms}`);
    continue;
  }
  console.log(`${fn.padEnd(36)} ${ms.toFixed(0).padStart(12)} ${(ms / baseline).toFixed(2).padStart(11)}`);
  figures[`${fn}InitCpuMs`] = ms;
}
rmSync(outdir, { recursive: true, force: true });
saveResults('cold-start', figures);
