/**
 * `nurture pages list | put <file|folder> | preview <slug>`: landing pages in the content bucket of a
 * running `npm start` (its S3 port), or with --aws the deployed bucket with your AWS credentials.
 * `put` uploads form definitions (`<id>.yaml` → forms/), layouts (`layouts/<name>.liquid` →
 * pages/layouts/) and pages (`<slug>.liquid` → pages/), checking each page first (nothing is uploaded
 * when it fails) and writing its report as the upload check does.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { Command } from 'commander';
import { checkStoredPage } from '../../functions/forms/adapters/page-checker.js';
import { S3FormsContent } from '../../functions/forms/adapters/s3-content.js';
import { checkPage, layoutNamePattern, pageFile } from '../../functions/forms/domain/page-check.js';
import { formCheckKey, type FormCheckReport, formsPrefix, layoutsPrefix, pageCheckKey, type PageCheckReport, pagesPrefix } from '../../functions/forms/domain/reports.js';
import { previewPage } from '../../functions/forms/page-admin-routes.js';
import { formatProblem } from '../../functions/shared/problems.js';
import { portsFromEnv } from '../../local/runtime/ports.js';
import type { RegisterCommands } from './register.js';

type Options = Record<string, string | boolean | undefined>;

function contentOf(opts: Options): { content: S3FormsContent; close(): void } {
  const local = !opts.aws;
  const endpoint = String(opts.s3Endpoint ?? `http://127.0.0.1:${portsFromEnv().s3}`);
  const s3 = new S3Client(
    local ? { endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, maxAttempts: 1 } : {},
  );
  return { content: new S3FormsContent(s3, String(opts.bucket ?? 'nurture-content'), 0), close: () => s3.destroy() };
}

/** Where a local file goes in the bucket, or undefined for a file that is neither form, layout nor page. */
export function keyOfFile(path: string): string | undefined {
  const name = basename(path);
  if (/^[a-z0-9][a-z0-9_-]{0,63}\.(ya?ml|json)$/.test(name)) return `${formsPrefix}${name}`;
  if (basename(dirname(path)) === 'layouts' && name.endsWith('.liquid') && layoutNamePattern.test(name.slice(0, -7))) return `${layoutsPrefix}${name}`;
  if (pageFile.test(name)) return `${pagesPrefix}${name}`;
  return undefined;
}

/** The files of a path: the file, or a folder's files and its `layouts/` folder's; forms and layouts before pages. */
export function pageFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  const files = readdirSync(path).map((f) => join(path, f));
  const layouts = files.filter((f) => basename(f) === 'layouts' && statSync(f).isDirectory()).flatMap((d) => readdirSync(d).map((f) => join(d, f)));
  const all = [...files.filter((f) => !statSync(f).isDirectory()), ...layouts];
  const rank = (f: string) => (keyOfFile(f)?.startsWith(pagesPrefix) && !keyOfFile(f)?.startsWith(layoutsPrefix) ? 1 : 0);
  return all.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Uploads one file; a page is checked first against the bucket's layouts and forms. Returns the lines to print. */
export async function putPageFile(content: S3FormsContent, file: string): Promise<{ ok: boolean; lines: string[] }> {
  const key = keyOfFile(file);
  if (!key) return { ok: true, lines: [`- ${file}  skipped: not <id>.yaml, layouts/<name>.liquid or <slug>.liquid`] };
  const text = readFileSync(file, 'utf8');
  if (!key.startsWith(pagesPrefix) || key.startsWith(layoutsPrefix)) {
    await content.put(key, text, key.endsWith('.liquid') ? 'text/plain; charset=utf-8' : 'text/yaml; charset=utf-8');
    return { ok: true, lines: [`✓ ${file} → ${key}`] };
  }
  const lookups = {
    layout: (name: string) => content.text(`${layoutsPrefix}${name}.liquid`),
    formState: async (id: string) => {
      const r = await content.json<FormCheckReport>(formCheckKey(id));
      return r === undefined ? ('missing' as const) : r.ok ? ('ok' as const) : ('failing' as const);
    },
  };
  const draft = await checkPage(basename(file), text, lookups);
  const problems = (r: PageCheckReport) => [
    ...r.errors.map((e) => `    error   ${formatProblem(file, e)}`),
    ...r.warnings.map((w) => `    warning ${formatProblem(file, w)}`),
  ];
  if (!draft.ok) return { ok: false, lines: [`✗ ${file}  not uploaded`, ...problems(draft)] };
  await content.put(key, text, 'text/plain; charset=utf-8');
  const report = await checkStoredPage(content, key);
  return { ok: report.ok, lines: [`${report.ok ? '✓' : '✗'} ${file} → ${key}  /p/${report.slug}`, ...problems(report)] };
}

export const registerPages: RegisterCommands = (program: Command) => {
  const pages = program.command('pages').description('Landing pages and their forms (content bucket)');
  const withBucket = (cmd: Command) =>
    cmd
      .option('--aws', 'use the deployed content bucket with your AWS credentials')
      .option('--bucket <name>', "content bucket name (on AWS: the stack's ContentBucketName output)", 'nurture-content')
      .option('--s3-endpoint <url>', 'local S3 endpoint (default: a running npm start, port NURTURE_S3_PORT or 4572)');

  withBucket(pages.command('list').description('Landing pages with their check verdicts')).action(async (opts: Options) => {
    const { content, close } = contentOf(opts);
    try {
      const keys = (await content.list(pagesPrefix)).map((o) => o.key).filter((k) => !k.startsWith(layoutsPrefix) && k.endsWith('.check.json'));
      for (const k of keys) {
        const r = await content.json<PageCheckReport>(k);
        if (!r) continue;
        console.log(`${r.ok ? '✓' : '✗'} /p/${r.slug}  ${r.page?.title ?? ''}${r.page?.formId ? `  form ${r.page.formId}` : ''}${r.ok ? '' : `  ${r.errors[0]?.message ?? ''}`}`);
      }
      if (keys.length === 0) console.log('no landing pages');
    } finally {
      close();
    }
  });

  withBucket(pages.command('put').description('Upload forms (<id>.yaml), layouts (layouts/<name>.liquid) and pages (<slug>.liquid), checking each page first'))
    .argument('<path>', 'a file or a folder')
    .action(async (path: string, opts: Options) => {
      const { content, close } = contentOf(opts);
      try {
        for (const file of pageFiles(path)) {
          const { ok, lines } = await putPageFile(content, file);
          console.log(lines.join('\n'));
          if (!ok) process.exitCode = 1;
        }
      } finally {
        close();
      }
    });

  withBucket(pages.command('preview').description('Render a stored page with its form and a sample token (counts nothing)'))
    .argument('<slug>', 'the page (/p/<slug>)')
    .option('--out <file>', 'write the HTML to this file instead of standard output')
    .option('--api <url>', 'API URL the form posts to in the preview (default: a running npm start, port NURTURE_API_PORT or 4000)')
    .action(async (slug: string, opts: Options) => {
      const { content, close } = contentOf(opts);
      try {
        const report = await content.json<PageCheckReport>(pageCheckKey(slug));
        if (!report?.page) throw new Error(report ? `page ${slug} fails its check: ${report.errors.map((e) => formatProblem(report.source, e)).join('; ')}` : `no page ${slug}`);
        const html = await previewPage(report.page, { content, publicApiUrl: String(opts.api ?? `http://127.0.0.1:${portsFromEnv().api}`) });
        if (opts.out) {
          mkdirSync(dirname(String(opts.out)), { recursive: true });
          writeFileSync(String(opts.out), html);
          console.log(`/p/${slug} → ${opts.out}`);
        } else process.stdout.write(html);
      } finally {
        close();
      }
    });
};
