import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkTemplatesDir, formatCheck } from '../../../cli/commands/templates.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'nurture-templates-'));
  dirs.push(d);
  return d;
};

describe('npm run nurture -- templates check', () => {
  it('passes every template shipped in templates/', async () => {
    const result = await checkTemplatesDir('templates');
    expect(result.reports.length).toBeGreaterThan(0);
    expect(result.reports.filter((r) => !r.ok).map((r) => `${r.source}: ${JSON.stringify(r.errors)}`)).toEqual([]);
  });

  it('names the broken file, line and problem, writes previews of the good ones, and skips other files', async () => {
    const dir = tmp();
    const out = tmp();
    writeFileSync(join(dir, 'good.liquid'), '---\nsubject: Hi {{ profile.traits.firstName }}\ncategory: transactional\n---\n<p>Receipt</p>\n');
    writeFileSync(join(dir, 'broken.liquid'), '---\nsubject: Hi\ncategory: transactional\n---\n\n<p>{{ profile.traits.firstName | upcase }</p>\n');
    writeFileSync(join(dir, 'notes.md'), '# not a template');

    const result = await checkTemplatesDir(dir, out);
    const text = formatCheck(result, dir, out);

    expect(text).toContain(`✗ broken.liquid\n    error   ${join(dir, 'broken.liquid')}:6:4  body  `);
    expect(text).toMatch(/broken\.liquid:6:4 {2}body {2}.*not closed/);
    expect(text).toMatch(/✓ good\.liquid {2}subject: "Hi Alex"/);
    expect(text).toContain('- notes.md  skipped');
    expect(text).toContain('1 of 2 templates passed, 1 failed');
    expect(readFileSync(join(out, 'good.html'), 'utf8')).toContain('Receipt');
    expect(readFileSync(join(out, 'good.txt'), 'utf8')).toMatch(/^Subject: Hi Alex/);
  });
});
