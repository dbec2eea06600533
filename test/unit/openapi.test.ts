import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../functions/api/openapi.js';
import { routes } from '../../functions/api/routes.js';
import { routeKeyOf } from '../../functions/shared/http.js';

describe('OpenAPI document', () => {
  const doc = openApiDocument('http://127.0.0.1:4000') as { paths: Record<string, Record<string, Record<string, unknown>>>; openapi: string };

  it('documents exactly the routes that exist', () => {
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(documented.sort()).toEqual(routes.map(routeKeyOf).sort());
  });

  it('describes request bodies from the handlers\' own schemas', () => {
    const track = doc.paths['/v1/track']!.post as { requestBody: { content: Record<string, { schema: { required?: string[]; properties: Record<string, unknown> } }> } };
    expect(track.requestBody.content['application/json']!.schema.required).toContain('event');
    expect(Object.keys(track.requestBody.content)).toEqual(['application/json', 'text/plain']);
    const unsubscribe = doc.paths['/v1/u/{token}']!.post as { requestBody: { content: Record<string, unknown> } };
    expect(Object.keys(unsubscribe.requestBody.content)).toEqual(['multipart/form-data', 'application/x-www-form-urlencoded']);
    const leads = doc.paths['/v1/admin/leads']!.get as { parameters: { name: string; in: string }[]; security: unknown[] };
    expect(leads.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(['stage', 'limit', 'includeAnonymous']));
    expect(leads.security).toEqual([{ admin: [] }]);
    const executions = doc.paths['/v1/admin/scenarios/{id}/executions']!.get as { parameters: { name: string; in: string }[] };
    expect(executions.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(['path:id', 'query:status', 'query:nextToken']);
  });

  it('gives every operation a summary, an operation id and responses', () => {
    const ids = new Set<string>();
    for (const ops of Object.values(doc.paths)) {
      for (const op of Object.values(ops)) {
        expect(op.summary).toBeTruthy();
        expect(Object.keys(op.responses as object).length).toBeGreaterThan(0);
        ids.add(String(op.operationId));
      }
    }
    expect(ids.size).toBe(routes.length);
    expect(doc.openapi).toBe('3.1.0');
  });

  it('refuses a route listed twice instead of documenting one of them', () => {
    const track = routes.find((r) => routeKeyOf(r) === 'POST /v1/track')!;
    expect(() => openApiDocument('http://127.0.0.1:4000', [track, { ...track }])).toThrow('route POST /v1/track is listed twice');
  });
});

describe('OpenAPI document: ingest body rules', () => {
  const doc = openApiDocument('http://127.0.0.1:4000') as { paths: Record<string, Record<string, { description?: string; responses: Record<string, unknown> }>> };

  it('documents compressed bodies (415 for other codings) and the nesting limit on every Segment path', () => {
    for (const path of ['/v1/batch', '/v1/track', '/v1/page', '/v1/screen', '/v1/identify', '/v1/alias', '/v1/group']) {
      const op = doc.paths[path]!.post!;
      expect(op.description).toContain('Content-Encoding: gzip');
      expect(op.description).toContain('at most 32 levels below a message');
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['400', '413', '415']));
    }
  });
});
