import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { compileMjml } from '../../functions/sending/adapters/mjml.js';
import { type CheckReport, checkTemplate, templateFile } from '../../functions/sending/domain/check.js';
import { formatProblem } from '../../functions/shared/problems.js';
import type { RegisterCommands } from './register.js';

export interface TemplatesCheckResult {
  reports: CheckReport[];
  /** Files in the folder that are not templates (ignored). */
  skipped: string[];
}

/** Checks every `<id>.liquid|mjml` directly in `dir` (the same check as on upload) and writes previews to `out`. */
export async function checkTemplatesDir(dir: string, out?: string): Promise<TemplatesCheckResult> {
  const reports: CheckReport[] = [];
  const skipped: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (name.startsWith('.') || statSync(path).isDirectory()) continue;
    if (!templateFile.test(name)) {
      skipped.push(name);
      continue;
    }
    const report = await checkTemplate(name, readFileSync(path, 'utf8'), { compileMjml });
    reports.push(report);
    if (out && report.preview) {
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, `${report.templateId}.html`), report.preview.html);
      writeFileSync(join(out, `${report.templateId}.txt`), `Subject: ${report.preview.subject}\n\n${report.preview.text}\n`);
    }
  }
  return { reports, skipped };
}

/** The report as a person reads it in a terminal. */
export function formatCheck(result: TemplatesCheckResult, dir: string, out?: string): string {
  const lines: string[] = [];
  for (const r of result.reports) {
    if (r.ok) {
      const preview = out ? ` → ${relative(process.cwd(), join(out, `${r.templateId}.html`))}` : '';
      lines.push(`✓ ${r.source}  subject: "${r.preview?.subject}"${preview}`);
    } else {
      lines.push(`✗ ${r.source}`);
    }
    const file = join(dir, r.source);
    for (const e of r.errors) lines.push(`    error   ${formatProblem(file, { ...e, field: e.field ?? '(file)' })}`);
    for (const w of r.warnings) lines.push(`    warning ${formatProblem(file, { ...w, field: w.field ?? '(file)' })}`);
  }
  for (const s of result.skipped) lines.push(`- ${s}  skipped: templates are <id>.liquid or <id>.mjml`);
  const failed = result.reports.filter((r) => !r.ok).length;
  lines.push('');
  lines.push(
    result.reports.length === 0
      ? `no templates in ${dir}`
      : `${result.reports.length - failed} of ${result.reports.length} templates passed${failed ? `, ${failed} failed` : ''}`,
  );
  return lines.join('\n');
}

export const registerTemplates: RegisterCommands = (program: Command) => {
  const templates = program.command('templates').description('Email templates');
  templates
    .command('check')
    .description('Check every template in a folder (front matter, MJML, Liquid, variables) and render previews')
    .argument('[dir]', 'folder of <id>.liquid / <id>.mjml files', 'templates')
    .option('--out <dir>', 'where previews (HTML and text) are written', '.nurture/previews')
    .action(async (dirArg: string, opts: { out: string }) => {
      const dir = resolve(dirArg);
      const out = resolve(opts.out);
      const result = await checkTemplatesDir(dir, out);
      console.log(formatCheck(result, dirArg, out));
      if (result.reports.length === 0 || result.reports.some((r) => !r.ok)) process.exitCode = 1;
    });
};
