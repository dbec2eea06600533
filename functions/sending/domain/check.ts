import { withNameTraits } from '../../identity/domain/names.js';
import * as z from 'zod/mini';
import { mailRecommendationLimits, mailStrategies, sampleMailItems } from '../../recommendations/mail.js';
import { checkSchema, locate, type Problem, readYaml, sortProblems, type YamlText } from '../../shared/validation.js';
import { TemplateError } from '../errors.js';
import { type CompiledTemplate, composeEmail, parseLiquid, type RenderedEmail, type TemplateVars } from './template.js';

/**
 * The template check: what runs when a marketer uploads a template (S3 event on AWS, at seed time and on
 * change locally) and in `npm run nurture -- templates check`. It parses the front matter, compiles MJML,
 * parses every Liquid part, renders a preview against a sample profile with strict variables, and either
 * produces the compiled template the send function uses, or errors with line numbers.
 */

/** Template source files: `<id>.liquid` (HTML + Liquid) or `<id>.mjml` (MJML + Liquid). */
export const templateFile = /^([a-z0-9][a-z0-9_-]{0,63})\.(liquid|mjml)$/;
/** Largest template source accepted (bytes). */
export const maxTemplateBytes = 512 * 1024;
/** Subject lines longer than this are refused: inboxes show ~60 characters, RFC 5322 lines stop at 998. */
export const maxSubjectChars = 400;

export interface CheckIssue {
  message: string;
  /** 1-based line (and column) in the source file, when known. */
  line?: number;
  column?: number;
  /** Front matter field (`sample.traits`) or template part (`body`). */
  field?: string;
  /** The front matter key probably meant, for a misspelt one (`subjcet` → `subject`). */
  suggestion?: string;
}

export interface CheckReport {
  templateId: string;
  source: string;
  ok: boolean;
  checkedAt: string;
  errors: CheckIssue[];
  warnings: CheckIssue[];
  /** The compiled template (only when ok): what the send function renders. */
  template?: CompiledTemplate;
  /** The mail rendered for the sample profile (only when ok). */
  preview?: RenderedEmail;
}

/** MJML → HTML, injected so that only the check (never the send path) loads MJML. */
export type CompileMjml = (source: string) => Promise<{ html: string; errors: { line?: number; message: string }[] }>;

const frontMatterSchema = z.strictObject({
  subject: z.string().check(z.minLength(1), z.maxLength(maxSubjectChars)),
  category: z.enum(['marketing', 'transactional']),
  topic: z.optional(z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'topics are 1-40 chars of a-z, 0-9, _ and -'))),
  fromName: z.optional(z.string().check(z.maxLength(64), z.regex(/^[^\r\n<>"]*$/, 'no line breaks, <, > or "'))),
  replyTo: z.optional(z.email()),
  preheader: z.optional(z.string().check(z.maxLength(300))),
  text: z.optional(z.string().check(z.minLength(1))),
  /** Products the send fills `recommendations` with (functions/recommendations/mail.ts). */
  recommendations: z.optional(
    z.strictObject({
      strategy: z.enum(mailStrategies, `one of ${mailStrategies.join(', ')}`),
      limit: z.optional(
        z.number().check(z.int('a whole number'), z.minimum(1, 'at least 1'), z.maximum(mailRecommendationLimits.maxLimit, `at most ${mailRecommendationLimits.maxLimit}`)),
      ),
      category: z.optional(z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[^\u0000-\u001f\u007f]+$/, 'no control characters'))),
    }),
  ),
  sample: z.optional(
    z.strictObject({
      traits: z.optional(z.record(z.string(), z.unknown())),
      context: z.optional(z.record(z.string(), z.unknown())),
    }),
  ),
});

export type FrontMatter = z.infer<typeof frontMatterSchema>;

/** The profile a preview renders for; `sample.traits` in the front matter add to its traits. */
export const sampleProfile: TemplateVars['profile'] = {
  id: 'p_sample',
  email: 'alex@example.com',
  // What an identify from a form with one full-name field stores (ingest derives firstName/lastName).
  traits: withNameTraits({ name: 'Alex Sample', company: 'Example Co', email: 'alex@example.com' }),
  score: 42,
  stage: 'known',
  timezone: 'Europe/Berlin',
  known: true,
};

const previewBase = 'https://nurture.invalid';

/** The sender identity a preview renders with. */
export const sampleSender = { name: 'Example Co', address: '1-2-3 Example-cho, Chiyoda-ku, Tokyo 100-0001' } as const;
/** What every marketing body must reference: `sender.name` and `sender.address`. */
const senderVariables = ['name', 'address'] as const;

/** A Liquid error as an issue: in the body, at its line in the file; in a front matter field, at that field's line. */
function liquidIssue(err: unknown, field: string, at: { lineOffset?: number; yaml?: YamlText } = {}): CheckIssue {
  const full = err instanceof TemplateError && err.cause ? (err.cause as Error).message : (err as Error).message;
  const first = full.split('\n')[0]!;
  const pos = /,? ?line:(\d+), col:(\d+)/.exec(first);
  const message = first.replace(/,? ?line:\d+, col:\d+/, '').trim();
  if (pos && at.lineOffset !== undefined) return { field, line: Number(pos[1]) + at.lineOffset, column: Number(pos[2]), message };
  return { field, ...locate(at.yaml, [field]), message };
}

const fromProblem = ({ field, ...rest }: Problem): CheckIssue => ({ field, ...rest });

/** Splits `---\n<yaml>\n---\n<body>`; bodyLine is the 1-based line where the body starts. */
function splitFrontMatter(source: string): { yaml: string; body: string; bodyLine: number } | undefined {
  const m = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(source);
  if (!m) return undefined;
  return { yaml: m[1]!, body: source.slice(m[0].length), bodyLine: m[0].split('\n').length };
}

const liquidTag = /\{%-?[\s\S]*?-?%\}/g;

/** Checks one template source file (`name` like `welcome.liquid`). */
export async function checkTemplate(
  name: string,
  source: string,
  opts: { compileMjml: CompileMjml; now?: Date },
): Promise<CheckReport> {
  const checkedAt = (opts.now ?? new Date()).toISOString();
  const file = templateFile.exec(name);
  const templateId = file?.[1] ?? name.replace(/\.[^.]*$/, '');
  const errors: CheckIssue[] = [];
  const warnings: CheckIssue[] = [];
  const report = () => ({ templateId, source: name, ok: errors.length === 0, checkedAt, errors: sortProblems(errors), warnings });

  if (!file) {
    errors.push({ message: `file name must be <id>.liquid or <id>.mjml with an id of a-z, 0-9, _ and - (got ${name})` });
    return report();
  }
  const format = file[2] as 'liquid' | 'mjml';
  if (Buffer.byteLength(source) > maxTemplateBytes) {
    errors.push({ message: `template is larger than ${maxTemplateBytes / 1024} KB` });
    return report();
  }
  const parts = splitFrontMatter(source);
  if (!parts) {
    errors.push({ line: 1, message: 'front matter missing: the file must start with a --- line, YAML fields (subject, category, …), and another --- line' });
    return report();
  }

  // Every problem of the front matter and every Liquid syntax error in one report. The front matter's
  // YAML starts on the file's second line.
  const read = readYaml(parts.yaml, 1);
  const checked =
    read.problems.length > 0
      ? { problems: read.problems.map((p) => ({ ...p, field: 'front matter' })) }
      : checkSchema(frontMatterSchema, read.value ?? {}, read.yaml);
  errors.push(...checked.problems.map(fromProblem));
  const fm = 'data' in checked ? checked.data : undefined;
  const raw = (read.value ?? {}) as Record<string, unknown>;
  const text = (key: string) => (typeof raw[key] === 'string' ? (raw[key] as string) : undefined);

  // Liquid syntax of every part, with lines relative to the file.
  const bodyOffset = parts.bodyLine - 1;
  const liquidParts: [string, string | undefined, boolean][] = [
    ['subject', text('subject'), false],
    ['preheader', text('preheader'), true],
    ['text', text('text'), false],
    ['body', parts.body, true],
  ];
  for (const [field, source, html] of liquidParts) {
    if (source === undefined) continue;
    try {
      parseLiquid(source, html);
    } catch (err) {
      errors.push(liquidIssue(err, field, field === 'body' ? { lineOffset: bodyOffset } : { yaml: read.yaml }));
    }
  }
  if (!parts.body.trim()) errors.push({ field: 'body', message: 'the body (HTML after the front matter) is empty' });
  if (raw.category === 'marketing' && !/\{\{-?\s*unsubscribe_url\b/.test(parts.body)) {
    errors.push({ field: 'body', message: 'marketing mail must show an unsubscribe link: add <a href="{{ unsubscribe_url }}">Unsubscribe</a>' });
  }
  if (raw.category === 'marketing') {
    const missing = senderVariables.filter((v) => !new RegExp(`\\{\\{-?\\s*sender\\.${v}\\b`).test(parts.body));
    if (missing.length > 0) {
      errors.push({
        field: 'body',
        message:
          `marketing mail must show who sends it, by name and postal address (Japan's 特定電子メール法 art. 4; GDPR art. 13): ` +
          `add ${missing.map((v) => `{{ sender.${v} }}`).join(' and ')} to the footer (set by nurture:senderName and nurture:senderPostalAddress)`,
      });
    }
  }
  if (errors.length > 0 || !fm) return report();

  let html = parts.body;
  if (format === 'mjml') {
    const compiled = await opts.compileMjml(parts.body);
    for (const e of compiled.errors) {
      errors.push({ field: 'body', ...(e.line ? { line: e.line + bodyOffset } : {}), message: e.message });
    }
    // MJML drops text it does not expect between its tags: Liquid control flow must sit in <mj-raw>.
    const kept = new Set(compiled.html.match(liquidTag) ?? []);
    const lines = parts.body.split('\n');
    lines.forEach((line, i) => {
      for (const tag of line.match(liquidTag) ?? []) {
        if (!kept.has(tag)) {
          errors.push({ field: 'body', line: i + 1 + bodyOffset, message: `MJML dropped the Liquid tag ${tag}: put it inside <mj-raw>…</mj-raw>` });
        }
      }
    });
    if (errors.length > 0) return report();
    html = compiled.html;
  }

  const template: CompiledTemplate = {
    templateId,
    format,
    category: fm.category,
    topic: fm.topic ?? 'general',
    subject: fm.subject,
    html,
    ...(fm.fromName ? { fromName: fm.fromName } : {}),
    ...(fm.replyTo ? { replyTo: fm.replyTo } : {}),
    ...(fm.preheader ? { preheader: fm.preheader } : {}),
    ...(fm.text ? { text: fm.text } : {}),
    ...(fm.recommendations ? { recommendations: fm.recommendations } : {}),
  };
  const vars: TemplateVars = {
    profile: { ...sampleProfile, traits: { ...sampleProfile.traits, ...fm.sample?.traits } },
    context: fm.sample?.context ?? {},
    unsubscribe_url: `${previewBase}/v1/u/sample`,
    view_url: `${previewBase}/v1/v/sample`,
    recommendations: [],
    send: { id: 'sample', template: templateId },
    sender: { ...sampleSender },
  };

  // Unknown variables, with file lines: render the body source itself (for MJML, before compilation). A
  // template that asks for recommendations renders both ways: with products and with its fallback.
  const filled: TemplateVars = { ...vars, recommendations: fm.recommendations ? sampleMailItems.slice(0, fm.recommendations.limit ?? sampleMailItems.length) : [] };
  try {
    for (const v of fm.recommendations ? [vars, filled] : [vars]) await composeEmail({ ...template, html: parts.body }, v);
  } catch (err) {
    const field = /^template [^:]+: (\w+):/.exec((err as Error).message)?.[1] ?? 'body';
    errors.push(liquidIssue(err, field === 'html' ? 'body' : field, field === 'html' ? { lineOffset: bodyOffset } : { yaml: read.yaml }));
    return report();
  }
  let preview: RenderedEmail;
  try {
    preview = await composeEmail(template, filled, { base: previewBase, click: (url) => url, pixel: `${previewBase}/v1/t/o/sample` });
  } catch (err) {
    errors.push(liquidIssue(err, 'body'));
    return report();
  }
  if (!fm.preheader) warnings.push({ field: 'preheader', message: 'no preheader: inboxes will show the first text of the body instead' });
  return { ...report(), template, preview };
}
