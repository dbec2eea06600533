import { describe, expect, it } from 'vitest';
import type { OfflineImportResult } from '../../../functions/channels/adapters/offline-importer.js';
import { offlineLimits, type OfflineRow } from '../../../functions/channels/domain/offline.js';
import { offlineRoutes, type OfflineRoutePorts } from '../../../functions/channels/offline-routes.js';
import { serveRoutes } from '../../../functions/shared/http.js';
import { apiEvent } from '../../helpers/api-event.js';

const now = new Date('2026-06-15T09:00:00Z');
function serve() {
  const calls: { rows: readonly OfflineRow[]; importedFrom?: string }[] = [];
  const ports: OfflineRoutePorts = {
    now: () => now,
    offline: {
      async import(rows, opts): Promise<OfflineImportResult> {
        calls.push({ rows, ...(opts?.importedFrom ? { importedFrom: opts.importedFrom } : {}) });
        return { imported: rows.length, skippedAsDuplicates: 0, profiles: rows.length };
      },
    },
  };
  const route = serveRoutes(offlineRoutes, ports);
  const post = async (body: string, query?: Record<string, string>) => {
    const res = await route(apiEvent({ path: '/v1/admin/channels/offline', body, headers: { 'content-type': 'text/csv' }, ...(query ? { query } : {}) }));
    return { status: res.statusCode, body: JSON.parse(String(res.body)) as Record<string, unknown> };
  };
  return { post, calls };
}
const rows = (n: number, bad = '') => ['email,channel,date,consent', ...Array.from({ length: n }, (_, i) => `p${i}@firm.jp,store,2026-06-01,${bad || 'yes'}`)].join('\n');

describe('POST /v1/admin/channels/offline', () => {
  it('imports valid rows and answers the counts, passing where they came from', async () => {
    const { post, calls } = serve();
    expect(await post(rows(3), { importedFrom: 'fair.csv' })).toEqual({ status: 200, body: { imported: 3, skippedAsDuplicates: 0, profiles: 3 } });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.importedFrom).toBe('fair.csv');
  });

  it('answers 400 listing bad rows (at most the named number) and imports nothing', async () => {
    const { post, calls } = serve();
    // Two problems a row (email and consent), more than are listed.
    const n = offlineLimits.maxErrorsReported / 2 + 5;
    const res = await post(rows(n, 'maybe').replaceAll('@firm.jp', ''));
    expect(res.status).toBe(400);
    expect(res.body.errors).toHaveLength(offlineLimits.maxErrorsReported);
    expect((res.body.errors as { line: number; field: string }[]).slice(0, 2)).toEqual([
      expect.objectContaining({ line: 2, field: 'email' }),
      expect.objectContaining({ line: 2, field: 'consent' }),
    ]);
    expect(res.body.error).toContain(`${2 * n} problems`);
    expect(calls).toHaveLength(0);
  });

  it('refuses more rows than a request may carry, and a body over its bound', async () => {
    const { post, calls } = serve();
    const many = await post(rows(offlineLimits.maxRowsPerRequest + 1));
    expect(many.status).toBe(400);
    expect(many.body.errors).toEqual([expect.objectContaining({ field: 'file', message: expect.stringContaining(`more than ${offlineLimits.maxRowsPerRequest} rows`) })]);
    // The function's error middleware (shared/http.ts) turns this ClientError into the 413 answer.
    await expect(post(`email,channel,date,consent\n${'x'.repeat(offlineLimits.maxRequestBytes)}`)).rejects.toMatchObject({ statusCode: 413, details: { field: 'body' } });
    expect(calls).toHaveLength(0);
  });
});
