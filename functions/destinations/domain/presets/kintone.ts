/**
 * kintone: add one record, `POST /k/v1/record.json` with `{app, record: {<field code>: {value}}}`.
 * https://cybozu.dev/ja/kintone/docs/rest-api/records/add-record/ (field codes absent from the app are
 * ignored by kintone; the API token goes in X-Cybozu-API-Token, set by the connection).
 */
import type { DestinationDefinition } from '../definition.js';
import { type Delivery, jsonHeaders, type LeadFacts } from '../delivery.js';

type Mapping = Extract<DestinationDefinition, { preset: 'kintone' }>['mapping'];

export function renderKintone(m: Mapping, f: LeadFacts): Delivery {
  const name = f.name ?? ([f.lastName, f.firstName].filter(Boolean).join(' ') || undefined);
  const values: Record<keyof Mapping['fields'], string | undefined> = {
    email: f.email,
    name,
    company: f.company,
    stage: f.stage,
    score: f.score === undefined ? undefined : String(f.score),
    reason: f.reason,
    event: f.detailType,
    occurredAt: f.occurredAt,
    leadUrl: f.url,
  };
  const record: Record<string, { value: string }> = {};
  // In the order of the mapping's keys as the schema lists them: the same definition gives the same bytes.
  for (const key of Object.keys(values) as (keyof Mapping['fields'])[]) {
    const code = m.fields[key];
    const value = values[key];
    if (code && value !== undefined) record[code] = { value };
  }
  return { method: 'POST', path: '/k/v1/record.json', headers: { ...jsonHeaders }, body: { app: m.app, record } };
}
