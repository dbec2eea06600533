/** Routes of offline touches: import of people met offline (CSV). */
import * as z from 'zod/mini';
import { bodyBytes, bodyText, json, parseQuery, routesOf } from '../shared/http.js';
import { ClientError } from '../shared/errors.js';
import { adminErrorResponses, clientErrorSchema } from '../shared/route-docs.js';
import type { OfflineImportOptions, OfflineImportResult } from './adapters/offline-importer.js';
import { offlineChannels, offlineLimits, type OfflineRow, parseOfflineCsv } from './domain/offline.js';

export interface OfflineRoutePorts {
  offline: { import(rows: readonly OfflineRow[], opts?: OfflineImportOptions): Promise<OfflineImportResult> };
  now(): Date;
}

const offlineQuery = z.object({
  importedFrom: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
});

const resultSchema = {
  type: 'object',
  properties: {
    imported: { type: 'integer', description: 'Rows imported now' },
    skippedAsDuplicates: { type: 'integer', description: 'Rows imported before (same email, channel, campaign and date) or repeated in the file' },
    profiles: { type: 'integer', description: 'Distinct profiles the imported rows belong to' },
  },
  required: ['imported', 'skippedAsDuplicates', 'profiles'],
};

const rowErrorsSchema = {
  type: 'object',
  properties: {
    ...clientErrorSchema.properties as Record<string, unknown>,
    errors: {
      type: 'array',
      items: { type: 'object', properties: { line: { type: 'integer' }, field: { type: 'string' }, message: { type: 'string' } }, required: ['line', 'field', 'message'] },
    },
  },
  required: ['success', 'error', 'errors'],
};

export const offlineRoutes = routesOf<OfflineRoutePorts>('channelsAdmin', [
  {
    method: 'POST',
    path: '/v1/admin/channels/offline',
    auth: 'admin',
    doc: {
      summary: 'Import people met offline (CSV)',
      description:
        'CSV with a header row: email (required), name, company, channel (required: ' +
        `${offlineChannels.join(', ')}; Japanese spellings such as セミナー or 展示会 too), campaign, date (required: YYYY-MM-DD or ` +
        `YYYY/MM/DD, not in the future, at most ${offlineLimits.maxAgeDays} days old), time (optional, HH:MM UTC), consent (required: ` +
        'granted/yes/true/1/同意 or revoked/no/false/0/不同意). Header names are case-insensitive (メールアドレス, 氏名, 会社名, チャネル, ' +
        'キャンペーン, 日付, 同意 also work). Every row is checked first: one bad row and nothing is imported. Each row identifies or ' +
        'creates the profile by email, records an "Offline Touch" activity (scored by the rules, a scenario trigger, an attribution ' +
        'touch with medium `offline` and the channel as source) and the consent as given, unless a later decision is stored. ' +
        `Importing the same rows again changes nothing. At most ${offlineLimits.maxRowsPerRequest} rows and ` +
        `${offlineLimits.maxRequestBytes} bytes a request (the CLI takes larger files).`,
      tags: ['admin', 'channels'],
      body: { type: 'string', description: 'The CSV text (UTF-8, a BOM is fine)' },
      bodyTypes: ['text/csv', 'text/plain'],
      query: offlineQuery,
      responses: {
        '200': { description: 'Imported', schema: resultSchema },
        ...adminErrorResponses,
        '400': { description: `Bad rows (nothing was imported): \`errors\` lists each (the first ${offlineLimits.maxErrorsReported}) with its line and field`, schema: rowErrorsSchema },
        '413': { description: `Body over ${offlineLimits.maxRequestBytes} bytes (\`field: body\`)`, schema: clientErrorSchema },
      },
    },
    async handle(req, ports) {
      const limit = offlineLimits.maxRequestBytes;
      if (bodyBytes(req.event) > limit) {
        throw new ClientError(413, `body: at most ${limit} bytes a request; import larger files with the CLI`, { field: 'body', limitBytes: limit });
      }
      const query = parseQuery(offlineQuery, req);
      const { rows, errors } = parseOfflineCsv(bodyText(req.event), ports.now(), offlineLimits.maxRowsPerRequest);
      if (errors.length > 0) {
        const error = `${errors.length} problem${errors.length === 1 ? '' : 's'} in the file; nothing was imported`;
        return json(400, { success: false, error, field: 'body', errors: errors.slice(0, offlineLimits.maxErrorsReported) });
      }
      const result = await ports.offline.import(rows, query.importedFrom ? { importedFrom: query.importedFrom } : {});
      return json(200, result);
    },
  },
]);
