import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyOfFile, pageFiles } from '../../../cli/commands/pages.js';
import { repoRoot } from '../../helpers/repo.js';

describe('nurture pages put: where files go', () => {
  it('maps forms, layouts and pages to their bucket keys and skips the rest', () => {
    expect(keyOfFile('site/forms/brochure.yaml')).toBe('forms/brochure.yaml');
    expect(keyOfFile('site/pages/layouts/hero-form.liquid')).toBe('pages/layouts/hero-form.liquid');
    expect(keyOfFile('site/pages/brochure.liquid')).toBe('pages/brochure.liquid');
    expect(keyOfFile('site/pages/Read Me.md')).toBeUndefined();
  });

  it('uploads a folder layouts first, then pages', () => {
    const files = pageFiles(join(repoRoot, 'templates', 'pages')).map((f) => keyOfFile(f));
    expect(files.at(-1)).toBe('pages/brochure.liquid');
    expect(files).toEqual(expect.arrayContaining(['pages/layouts/brochure.liquid', 'pages/layouts/hero-form.liquid', 'pages/layouts/seminar.liquid', 'pages/layouts/thank-you.liquid']));
  });
});
