/**
 * Admin routes of form definitions, their submissions and stats, with their OpenAPI documentation, served
 * by the formsAdmin function. The operations are exported for the CLI (`nurture forms …`), which runs them
 * against the bucket and table directly.
 *
 * A definition is stored only when its check passes (`forms/<id>.yaml` and its report
 * `forms/<id>.check.json`, what the public functions serve); a failing one answers 400 with every problem
 * and writes nothing. PUT and DELETE are idempotent: a replay writes the same source and report.
 */
import { stringify } from 'yaml';
import * as z from 'zod/mini';
import { BadRequestError, ClientError, NotFoundError } from '../shared/errors.js';
import { bodyText, json, parseQuery, routesOf } from '../shared/http.js';
import type { Problem } from '../shared/problems.js';
import { adminErrorResponses, clientErrorSchema, type JsonSchema } from '../shared/route-docs.js';
import type { S3FormsContent } from './adapters/s3-content.js';
import type { SubmissionPage, SubmissionQuery } from './adapters/submission-reader.js';
import { checkForm, formFile, formSourceKeys, isFormKey } from './domain/form-check.js';
import { InvalidCursorError } from './domain/submission-cursor.js';
import { type FormDefinition, formIdPattern, formLimits, type Localized } from './domain/definition.js';
import type { FormStats } from './domain/model.js';
import { formCheckKey, type FormCheckReport, formsPrefix } from './domain/reports.js';
import { type DailyCounters, dayRange, statsLimits, statsOver, summaryOf } from './domain/stats.js';

/** What the formsAdmin function wires at module load (adapters/admin-ports.ts). */
export interface FormsAdminPorts {
  content: Pick<S3FormsContent, 'text' | 'json' | 'put' | 'delete' | 'list' | 'formReport'>;
  submissions: { page(formId: string, q: SubmissionQuery): Promise<SubmissionPage> };
  stats: { days(formId: string, from: string, to: string): Promise<DailyCounters[]> };
  now(): Date;
}

/** Forms the list reads at once (each an S3 GET and a DynamoDB Query). */
const listConcurrency = 25;

/** Submissions a page: default and most. */
export const submissionPageLimits = { defaultLimit: 100, maxLimit: 500 } as const;

export interface FormSummary {
  id: string;
  title?: Localized;
  ok: boolean;
  errors: number;
  checkedAt?: string;
  /** Totals of the last `statsLimits.defaultDays` days. */
  stats: Omit<FormStats, 'days'>;
}

/** `{id}`, checked. */
export function formIdParam(raw: string | undefined): string {
  const id = raw ?? '';
  if (!formIdPattern.test(id)) throw new BadRequestError('id', 'a form id: 1-64 chars of a-z, 0-9, _ and -, starting with a letter or digit');
  return id;
}

/** 400 listing every problem (field, line), the first in the message. */
export function problemsError(errors: readonly Problem[], warnings: readonly Problem[] = []): ClientError {
  const first = errors[0] ?? { field: 'body', message: 'invalid' };
  return new ClientError(400, `${first.field}: ${first.message}${first.line ? ` (line ${first.line})` : ''}`, { field: first.field, problems: errors, warnings });
}

/** The form ids the bucket holds a source or a report of. */
async function formIds(content: FormsAdminPorts['content']): Promise<string[]> {
  const ids = new Set<string>();
  for (const { key } of await content.list(formsPrefix)) {
    const name = key.slice(formsPrefix.length);
    const id = isFormKey(key) ? formFile.exec(name)![1]! : /^([a-z0-9][a-z0-9_-]{0,63})\.check\.json$/.exec(name)?.[1];
    if (id) ids.add(id);
  }
  return [...ids].sort();
}

export async function formStats(ports: Pick<FormsAdminPorts, 'stats' | 'now'>, id: string, days: number = statsLimits.defaultDays): Promise<FormStats> {
  const { from, to } = dayRange(ports.now(), days);
  return statsOver(await ports.stats.days(id, from, to), from, to);
}

/** Every form with its check state and the totals of the last 30 days. */
export async function listForms(ports: FormsAdminPorts): Promise<FormSummary[]> {
  const ids = await formIds(ports.content);
  const summary = async (id: string): Promise<FormSummary> => {
    const [report, stats] = await Promise.all([ports.content.formReport(id), formStats(ports, id)]);
    return {
      id,
      ...(report?.form ? { title: report.form.title } : {}),
      ok: report?.ok ?? false,
      errors: report?.errors.length ?? 0,
      ...(report ? { checkedAt: report.checkedAt } : {}),
      stats: summaryOf(stats),
    };
  };
  // A report read and a counters query a form, listConcurrency forms at a time (200 forms: 8 rounds).
  const out: FormSummary[] = [];
  for (let i = 0; i < ids.length; i += listConcurrency) out.push(...(await Promise.all(ids.slice(i, i + listConcurrency).map(summary))));
  return out;
}

/** A form's definition, check report and stats over `days` days; 404 when there is neither source nor report. */
export async function formDetail(ports: FormsAdminPorts, id: string, days: number): Promise<{ id: string; definition?: FormDefinition; report: Omit<FormCheckReport, 'form'>; stats: FormStats }> {
  const [report, stats] = await Promise.all([ports.content.formReport(id), formStats(ports, id, days)]);
  if (!report) {
    const sources = await ports.content.list(`${formsPrefix}${id}.`);
    if (!sources.some((s) => isFormKey(s.key))) throw new NotFoundError(`form ${id} not found`);
  }
  const { form, ...rest } = report ?? { formId: id, source: '', ok: false, checkedAt: '', errors: [{ field: '(file)', message: 'not checked yet' }], warnings: [] };
  return { id, ...(form ? { definition: form } : {}), report: rest, stats };
}

/** A definition as sent: YAML text, or a JSON object of the same shape (`json`). */
export interface DefinitionBody {
  text: string;
  json: boolean;
}

const yamlTypes = ['text/yaml', 'application/yaml', 'application/x-yaml', 'text/x-yaml'];

/** The request body as a definition: YAML by content type, else a JSON object. */
export function definitionBody(contentType: string | undefined, text: string): DefinitionBody {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (yamlTypes.includes(type)) return { text, json: false };
  let value: unknown;
  try {
    value = JSON.parse(text || 'null');
  } catch {
    throw new BadRequestError('body', 'not valid JSON (send YAML as text/yaml)');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new BadRequestError('body', 'a form definition: a JSON object { title, fields, … } or YAML as text/yaml');
  return { text, json: true };
}

/** The check of a definition body, as the form `id` (problems at lines of the text as sent). */
export function checkBody(id: string, body: DefinitionBody, now: Date): FormCheckReport {
  return checkForm(`${id}.${body.json ? 'json' : 'yaml'}`, body.text, now);
}

/**
 * Checks and stores a definition: 400 with every problem and nothing written when it fails; else the
 * source `forms/<id>.yaml` (a JSON body written as the YAML it is), its report, and other sources of the
 * same id removed (their deletion events then re-check this one).
 */
export async function putForm(ports: FormsAdminPorts, id: string, body: DefinitionBody): Promise<FormCheckReport> {
  const now = ports.now();
  const sent = checkBody(id, body, now);
  if (!sent.ok) throw problemsError(sent.errors, sent.warnings);
  const existing = await ports.content.list(`${formsPrefix}${id}.`);
  if (existing.length === 0 && (await formIds(ports.content)).length >= formLimits.forms) {
    throw new BadRequestError('id', `at most ${formLimits.forms} forms: delete one first`);
  }
  const text = body.json ? stringify(JSON.parse(body.text), { lineWidth: 0 }) : body.text;
  const report = body.json ? checkForm(`${id}.yaml`, text, now) : sent;
  // The YAML written for a JSON body must say what the JSON said (a string stays a string).
  if (!report.ok) throw problemsError(report.errors, report.warnings);
  const key = formSourceKeys(id)[0]!;
  await ports.content.put(key, text, 'application/yaml; charset=utf-8');
  await ports.content.put(formCheckKey(id), JSON.stringify(report), 'application/json');
  for (const other of existing) if (isFormKey(other.key) && other.key !== key) await ports.content.delete(other.key);
  return report;
}

/** Deletes the sources and the report (sources first: a check running meanwhile finds none). Submissions stay. */
export async function deleteForm(ports: FormsAdminPorts, id: string): Promise<boolean> {
  const keys = (await ports.content.list(`${formsPrefix}${id}.`)).map((o) => o.key).filter((k) => isFormKey(k) || k === formCheckKey(id));
  for (const key of keys.filter(isFormKey)) await ports.content.delete(key);
  if (keys.includes(formCheckKey(id))) await ports.content.delete(formCheckKey(id));
  return keys.length > 0;
}

const timeBound = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?Z)?$/;
const detailQuery = z.object({ days: z.optional(z.string()) });
const submissionsQuery = z.object({ limit: z.optional(z.string()), cursor: z.optional(z.string()), from: z.optional(z.string()), to: z.optional(z.string()) });

function intParam(field: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new BadRequestError(field, `an integer from 1 to ${max}`);
  return n;
}

/** The query of a submissions page, checked (limit, from, to; the cursor is checked by the reader). */
export function submissionQuery(q: { limit?: string; cursor?: string; from?: string; to?: string }): SubmissionQuery {
  for (const field of ['from', 'to'] as const) {
    const v = q[field];
    if (v !== undefined && (!timeBound.test(v) || Number.isNaN(Date.parse(v)))) throw new BadRequestError(field, 'a date (2026-12-01) or an ISO time in UTC (2026-12-01T09:00:00Z)');
  }
  // Sort keys start with submittedAt as toISOString writes it (milliseconds): a time compares in that form.
  const bound = (v: string) => (v.length === 10 ? v : new Date(v).toISOString());
  return {
    limit: intParam('limit', q.limit, submissionPageLimits.defaultLimit, submissionPageLimits.maxLimit),
    ...(q.cursor ? { cursor: q.cursor } : {}),
    ...(q.from ? { from: bound(q.from) } : {}),
    ...(q.to ? { to: bound(q.to) } : {}),
  };
}

export async function submissionsPage(ports: Pick<FormsAdminPorts, 'submissions'>, id: string, q: SubmissionQuery): Promise<SubmissionPage> {
  try {
    return await ports.submissions.page(id, q);
  } catch (err) {
    if (err instanceof InvalidCursorError) throw new BadRequestError('cursor', err.message, { cause: err });
    throw err;
  }
}

const tags = ['admin', 'forms'];
const problem: JsonSchema = { type: 'object', properties: { field: { type: 'string' }, line: { type: 'integer' }, column: { type: 'integer' }, message: { type: 'string' }, suggestion: { type: 'string' } } };
const statsJson: JsonSchema = {
  type: 'object',
  properties: { views: { type: 'integer' }, submissions: { type: 'integer' }, refused: { type: 'integer' }, conversionRate: { type: 'number' }, days: { type: 'array', items: { type: 'object' } } },
};
const reportJson: JsonSchema = {
  type: 'object',
  properties: { formId: { type: 'string' }, source: { type: 'string' }, ok: { type: 'boolean' }, checkedAt: { type: 'string' }, errors: { type: 'array', items: problem }, warnings: { type: 'array', items: problem }, form: { type: 'object' } },
};
const definitionJson: JsonSchema = { type: 'object', description: 'A form definition (README "Form definitions, submissions and stats"): title, fields, consents, submit, …', required: ['title', 'fields'] };
const badDefinition = { '400': { description: 'The definition fails its check: `field` names the first problem, `problems` lists every one with its line; nothing is written', schema: { ...clientErrorSchema, properties: { ...(clientErrorSchema.properties as object), problems: { type: 'array', items: problem } } } } };
const bodyTypes = ['text/yaml', 'application/yaml', 'application/json'];
const limitsNote = `At most ${formLimits.forms} forms, ${formLimits.sourceBytes} bytes a definition, ${formLimits.fields} fields, ${formLimits.consents} consents.`;

export const formsAdminRoutes = routesOf<FormsAdminPorts>('formsAdmin', [
  {
    method: 'GET',
    path: '/v1/admin/forms',
    auth: 'admin',
    doc: {
      summary: 'Every form with its check state and the totals of the last 30 days',
      tags,
      responses: { '200': { description: 'The forms', schema: { type: 'object', properties: { forms: { type: 'array', items: { type: 'object' } } } } }, ...adminErrorResponses },
    },
    async handle(_req, ports) {
      return json(200, { forms: await listForms(ports) });
    },
  },
  {
    method: 'POST',
    path: '/v1/admin/forms/validate',
    auth: 'admin',
    doc: {
      summary: 'Check a form definition without storing it',
      description: 'The body as PUT takes it. Answers the check report (`ok: false` with every problem and its line when it fails). `?id=` names the form (default `draft`).',
      tags,
      body: definitionJson,
      bodyTypes,
      query: z.object({ id: z.optional(z.string()) }),
      responses: { '200': { description: 'The check report', schema: reportJson }, ...adminErrorResponses },
    },
    async handle(req, ports) {
      const id = formIdParam(req.query.id ?? 'draft');
      return json(200, checkBody(id, definitionBody(req.headers['content-type'], bodyText(req.event)), ports.now()));
    },
  },
  {
    method: 'GET',
    path: '/v1/admin/forms/{id}',
    auth: 'admin',
    doc: {
      summary: 'A form: its definition, check report and stats',
      description: `Stats from the daily counters over \`?days=\` (default ${statsLimits.defaultDays}, at most ${statsLimits.maxDays}) ending today (UTC): views, submissions, refused (spam), conversionRate = submissions / views, and every day.`,
      tags,
      query: detailQuery,
      responses: { '200': { description: 'The form', schema: { type: 'object', properties: { id: { type: 'string' }, definition: { type: 'object' }, report: reportJson, stats: statsJson } } }, ...adminErrorResponses },
    },
    async handle(req, ports) {
      const id = formIdParam(req.params.id);
      const q = parseQuery(detailQuery, req);
      return json(200, await formDetail(ports, id, intParam('days', q.days, statsLimits.defaultDays, statsLimits.maxDays)));
    },
  },
  {
    method: 'PUT',
    path: '/v1/admin/forms/{id}',
    auth: 'admin',
    doc: {
      summary: 'Create or replace a form definition',
      description: `YAML (text/yaml, application/yaml) or a JSON object of the same shape. Checked as an upload is; stored as forms/{id}.yaml with its report only when it passes. ${limitsNote}`,
      tags,
      body: definitionJson,
      bodyTypes,
      responses: { '200': { description: 'Stored: the check report', schema: reportJson }, ...adminErrorResponses, ...badDefinition },
    },
    async handle(req, ports) {
      const id = formIdParam(req.params.id);
      return json(200, await putForm(ports, id, definitionBody(req.headers['content-type'], bodyText(req.event))));
    },
  },
  {
    method: 'DELETE',
    path: '/v1/admin/forms/{id}',
    auth: 'admin',
    doc: {
      summary: 'Delete a form definition and its report (its submissions and stats stay)',
      description: 'The form is no longer served. Deleting an absent form answers `deleted: false` (a replay is harmless).',
      tags,
      responses: { '200': { description: 'Deleted, or already absent', schema: { type: 'object', properties: { id: { type: 'string' }, deleted: { type: 'boolean' } } } }, ...adminErrorResponses },
    },
    async handle(req, ports) {
      const id = formIdParam(req.params.id);
      return json(200, { id, deleted: await deleteForm(ports, id) });
    },
  },
  {
    method: 'GET',
    path: '/v1/admin/forms/{id}/submissions',
    auth: 'admin',
    doc: {
      summary: "A page of a form's submissions, newest first",
      description: `\`limit\` 1–${submissionPageLimits.maxLimit} (default ${submissionPageLimits.defaultLimit}); \`cursor\` from the previous page; \`from\`/\`to\` bound submittedAt (inclusive; a date or an ISO time in UTC). Submissions of a deleted form stay listable.`,
      tags,
      query: submissionsQuery,
      responses: {
        '200': { description: 'A page: each submission as stored', schema: { type: 'object', properties: { items: { type: 'array', items: { type: 'object' } }, cursor: { type: 'string' } } } },
        ...adminErrorResponses,
      },
    },
    async handle(req, ports) {
      const id = formIdParam(req.params.id);
      return json(200, await submissionsPage(ports, id, submissionQuery(parseQuery(submissionsQuery, req))));
    },
  },
]);
