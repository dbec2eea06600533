/**
 * Routes of ad costs: PUT /v1/admin/channels/costs imports a CSV file as the ad platforms export it (all
 * or nothing, every bad row reported), GET reads rows and totals of a range. README "Ad costs".
 */
import * as z from 'zod/mini';
import { BadRequestError, ClientError } from '../shared/errors.js';
import { bodyBuffer, json, parseQuery, routesOf } from '../shared/http.js';
import { adminErrorResponses, clientErrorSchema } from '../shared/route-docs.js';
import { addDays, costCsvLimits, decodeCostFile, layoutIds, parseCostCsv } from './domain/cost-csv.js';
import { CostImportError, type CostStorePort, costStoreLimits, costTotals, importCosts } from './domain/costs.js';
import type { CostReader, CostRow, RegistryReader } from './domain/ports.js';
import { effectiveMedia, mediumIdPattern } from './domain/registry.js';

export interface CostRoutePorts {
  costs: CostStorePort & CostReader & { costs(from: string, to: string, medium?: string): Promise<CostRow[]> };
  registry: RegistryReader;
  /** The deployment's currency, ISO 4217 (context key `nurture:currency`). */
  currency: string;
  now(): Date;
}

const mediumParam = z.optional(z.string().check(z.regex(mediumIdPattern, 'a medium id of the registry (lower-case letters, digits, - and _)')));
const importQuery = z.object({ medium: mediumParam, layout: z.optional(z.enum(layoutIds)) });
const day = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'a UTC day YYYY-MM-DD'));
const readQuery = z.object({ from: day, to: day, medium: mediumParam });

const errorsSchema = {
  type: 'object',
  properties: {
    ...(clientErrorSchema.properties as object),
    errors: { type: 'array', items: { type: 'object', properties: { line: { type: 'integer' }, field: { type: 'string' }, message: { type: 'string' } } } },
    errorCount: { type: 'integer' },
  },
};
const costRow = {
  type: 'object',
  properties: { day: { type: 'string' }, medium: { type: 'string' }, campaign: { type: 'string' }, cost: { type: 'number' }, impressions: { type: 'integer' }, clicks: { type: 'integer' } },
};

const isDay = (s: string) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

/** Imports a cost file's bytes: everything or, with any bad row, nothing (a 400 listing them). */
export async function importCostFile(bytes: Uint8Array, opts: { medium?: string; layout?: (typeof layoutIds)[number] }, ports: CostRoutePorts, progress?: Parameters<typeof importCosts>[3]) {
  if (bytes.length > costCsvLimits.maxBytes) throw new ClientError(413, `body: larger than ${costCsvLimits.maxBytes} bytes: split the file`, { field: 'body' });
  const media = new Set(effectiveMedia(await ports.registry.registry()).map((m) => m.id));
  const today = ports.now().toISOString().slice(0, 10);
  const parsed = parseCostCsv(decodeCostFile(bytes), { currency: ports.currency, media, today, ...opts });
  if (parsed.errors.length > 0) {
    const shown = parsed.errors.slice(0, costCsvLimits.maxErrors);
    const lines = new Set(parsed.errors.map((e) => e.line)).size;
    throw new ClientError(400, `body: ${lines} bad row${lines === 1 ? '' : 's'} (${parsed.errors.length} faults): nothing imported`, { field: 'body', errors: shown, errorCount: parsed.errors.length });
  }
  if (parsed.rows.length === 0) throw new BadRequestError('body', 'no cost rows under the header');
  try {
    return { layout: parsed.layout, ...(await importCosts(parsed.rows, ports.currency, ports.costs, progress)) };
  } catch (err) {
    if (err instanceof CostImportError) throw new ClientError(err.status, `${err.field}: ${err.message}`, { field: err.field }, { cause: err });
    throw err;
  }
}

export const costRoutes = routesOf<CostRoutePorts>('channelsAdmin', [
  {
    method: 'PUT',
    path: '/v1/admin/channels/costs',
    auth: 'admin',
    doc: {
      summary: 'Import ad costs from a CSV file',
      description:
        'The body is the file as the ad platform exports it (Google Ads, Meta Ads Manager, Yahoo! JAPAN Ads, Microsoft Advertising, LinkedIn) or in ' +
        "Nurture's template (date, medium, campaign, cost, currency, impressions, clicks). UTF-8 as `text/csv`; UTF-16 or Shift_JIS files as " +
        '`application/octet-stream` (API Gateway passes text bodies on as UTF-8 text, which would garble them). The layout is recognised from the header row; ' +
        '`layout` forces one, `medium` overrides the medium the layout implies. Every day the file names replaces that day of that medium; other days stay. ' +
        `All or nothing: with any bad row nothing is written and every bad row is listed (line, field, message). At most ${costCsvLimits.maxBytes} bytes ` +
        `(API Gateway's payload limit is 10 MB), ${costCsvLimits.maxRows} rows, ${costStoreLimits.maxItemsPerImport} (medium, month) pairs.`,
      tags: ['admin', 'channels'],
      query: importQuery,
      body: { type: 'string', description: 'The CSV file' },
      // API Gateway hands text/* bodies over as UTF-8 text: Shift_JIS and UTF-16 files must come as bytes.
      bodyTypes: ['text/csv', 'text/plain', 'application/octet-stream'],
      responses: {
        '200': {
          description: 'Imported (replaying the same file writes nothing: monthsWritten 0)',
          schema: {
            type: 'object',
            properties: {
              imported: { type: 'integer', description: 'Rows, repeats of a medium, day and campaign added up' },
              days: { type: 'integer' },
              media: { type: 'array', items: { type: 'string' } },
              currency: { type: 'string' },
              layout: { enum: [...layoutIds] },
              monthsWritten: { type: 'integer' },
              monthsUnchanged: { type: 'integer' },
            },
          },
        },
        ...adminErrorResponses,
        '400': { description: 'Bad rows (`errors`: line, field, message), or a bad parameter; nothing imported', schema: errorsSchema },
        '409': { description: 'Another import changed the same months meanwhile; nothing imported, retry' },
        '413': { description: `Body larger than ${costCsvLimits.maxBytes} bytes` },
      },
    },
    async handle(req, ports) {
      const q = parseQuery(importQuery, req);
      const result = await importCostFile(bodyBuffer(req.event), { ...(q.medium ? { medium: q.medium } : {}), ...(q.layout ? { layout: q.layout } : {}) }, ports);
      return json(200, { success: true, ...result });
    },
  },
  {
    method: 'GET',
    path: '/v1/admin/channels/costs',
    auth: 'admin',
    doc: {
      summary: 'Ad costs of a range: rows and totals per medium and campaign',
      description: `\`from\`/\`to\`: UTC days, inclusive, at most ${costStoreLimits.maxReadDays} days. Totals per medium and campaign, and per medium (campaign \`*\`).`,
      tags: ['admin', 'channels'],
      query: readQuery,
      responses: {
        '200': {
          description: 'Rows and totals',
          schema: { type: 'object', properties: { currency: { type: 'string' }, rows: { type: 'array', items: costRow }, totals: { type: 'array', items: { type: 'object' } } } },
        },
        ...adminErrorResponses,
      },
    },
    async handle(req, ports) {
      const q = parseQuery(readQuery, req);
      if (!isDay(q.from)) throw new BadRequestError('from', 'not a calendar day');
      if (!isDay(q.to)) throw new BadRequestError('to', 'not a calendar day');
      if (q.to < q.from) throw new BadRequestError('to', 'before from');
      if (addDays(q.from, costStoreLimits.maxReadDays - 1) < q.to) throw new BadRequestError('to', `more than ${costStoreLimits.maxReadDays} days after from`);
      const rows = await ports.costs.costs(q.from, q.to, q.medium);
      return json(200, { success: true, from: q.from, to: q.to, currency: ports.currency, rows, totals: costTotals(rows) });
    },
  },
]);
