/**
 * The audience-sync adapters build the requests Meta's Marketing API and Google's Data Manager API
 * document, in batches within their limits, through an injected transport: no live call is made.
 */
import { describe, expect, it } from 'vitest';
import { GoogleAudienceSync, googleBatchMembers } from '../../../functions/segments/adapters/audience-google.js';
import { MetaAudienceSync, metaBatchRows } from '../../../functions/segments/adapters/audience-meta.js';
import type { AudienceProfile } from '../../../functions/segments/domain/audience.js';
import { AudienceSyncError, type HttpTransport } from '../../../functions/segments/domain/audience-sync.js';

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

function recorder(status = 200, fail?: Error) {
  const calls: Call[] = [];
  const transport: HttpTransport = async (url, init) => {
    calls.push({ url, ...init });
    if (fail) throw fail;
    return { status, text: async () => (status < 300 ? '{}' : '{"error":{"message":"Invalid parameter"}}') };
  };
  return { calls, transport };
}

const member = (i: number, consent = true): AudienceProfile => ({
  profileId: `p${i}`,
  email: `user${i}@example.jp`,
  traits: { advertising_consent: consent, ...(i % 2 === 0 ? { phone: `090-0000-${String(i % 10_000).padStart(4, '0')}` } : {}) },
});
const many = (n: number) => Array.from({ length: n }, (_, i) => member(i));
const formPart = (body: string, name: string) => JSON.parse(new URLSearchParams(body).get(name)!);

describe('Meta custom audience sync', () => {
  const meta = (transport: HttpTransport) => new MetaAudienceSync({ accessToken: 'tok', defaultCountry: 'JP', transport, sessionId: () => 42 });

  it('adds members with POST /{id}/users and a {schema, data} payload of hashes', async () => {
    const { calls, transport } = recorder();
    const result = await meta(transport).add('23850000000000001', [member(0), member(1), member(2, false)]);
    expect(result).toEqual({ sent: 2, skipped: 1, requests: 1 });
    expect(calls[0]).toMatchObject({ url: 'https://graph.facebook.com/v25.0/23850000000000001/users', method: 'POST' });
    expect(calls[0]!.headers).toMatchObject({ authorization: 'Bearer tok', 'content-type': 'application/x-www-form-urlencoded' });
    const payload = formPart(calls[0]!.body, 'payload');
    expect(payload.schema).toEqual(['EMAIL', 'PHONE', 'COUNTRY']);
    expect(payload.data).toHaveLength(2);
    expect(payload.data[1][1]).toBe(''); // member 1 has no phone
    for (const cell of payload.data.flat().filter(Boolean)) expect(cell).toMatch(/^[0-9a-f]{64}$/);
  });

  it('splits 10,001 members into batches of at most 10,000', async () => {
    const { calls, transport } = recorder();
    const result = await meta(transport).add('1', many(metaBatchRows + 1));
    expect(result.requests).toBe(2);
    expect(calls.map((c) => formPart(c.body, 'payload').data.length)).toEqual([10_000, 1]);
  });

  it('removes with DELETE, whatever the consent (revoked consent is a reason to remove)', async () => {
    const { calls, transport } = recorder();
    await meta(transport).remove('1', [member(3, false)]);
    expect(calls[0]).toMatchObject({ method: 'DELETE', url: 'https://graph.facebook.com/v25.0/1/users' });
    expect(formPart(calls[0]!.body, 'payload').data).toHaveLength(1);
  });

  it('replaces through /usersreplace with one session numbered batch by batch', async () => {
    const { calls, transport } = recorder();
    await meta(transport).replace('1', many(metaBatchRows + 5));
    expect(calls.every((c) => c.url.endsWith('/1/usersreplace'))).toBe(true);
    expect(calls.map((c) => formPart(c.body, 'session'))).toEqual([
      { session_id: 42, batch_seq: 1, last_batch_flag: false, estimated_num_total: 10_005 },
      { session_id: 42, batch_seq: 2, last_batch_flag: true, estimated_num_total: 10_005 },
    ]);
  });

  it('sends the same requests when replayed (Meta de-duplicates rows)', async () => {
    const a = recorder();
    const b = recorder();
    await meta(a.transport).add('1', many(5));
    await meta(b.transport).add('1', many(5));
    expect(b.calls).toEqual(a.calls);
  });

  it('refuses a non-numeric audience id before any request', async () => {
    const { calls, transport } = recorder();
    await expect(meta(transport).add('1/../me', [member(0)])).rejects.toBeInstanceOf(AudienceSyncError);
    expect(calls).toHaveLength(0);
  });
});

describe('Google Customer Match sync (Data Manager API)', () => {
  const google = (transport: HttpTransport) =>
    new GoogleAudienceSync({ customerId: '1234567890', accessToken: async () => 'gtok', defaultCountry: 'JP', transport });

  it('ingests members with the documented body', async () => {
    const { calls, transport } = recorder();
    const result = await google(transport).add('987', [member(0), member(1, false)]);
    expect(result).toEqual({ sent: 1, skipped: 1, requests: 1 });
    expect(calls[0]).toMatchObject({ url: 'https://datamanager.googleapis.com/v1/audienceMembers:ingest', method: 'POST' });
    expect(calls[0]!.headers.authorization).toBe('Bearer gtok');
    expect(JSON.parse(calls[0]!.body)).toEqual({
      destinations: [{ operatingAccount: { accountType: 'GOOGLE_ADS', accountId: '1234567890' }, productDestinationId: '987' }],
      audienceMembers: [
        {
          userData: {
            userIdentifiers: [
              { emailAddress: '762f3fde3785d0a6eef1a579679f532fda55af749548496135c8cf3c47babe4d' }, // user0@example.jp
              { phoneNumber: '4c87e748c70a2412668b7d3fa19dcc471da1e47838277209fe7dc866e1924a97' }, // +819000000000
            ],
          },
        },
      ],
      consent: { adUserData: 'CONSENT_GRANTED', adPersonalization: 'CONSENT_GRANTED' },
      encoding: 'HEX',
      termsOfService: { customerMatchTermsOfServiceStatus: 'ACCEPTED' },
    });
  });

  it('removes through audienceMembers:remove and batches at 10,000', async () => {
    const { calls, transport } = recorder();
    const result = await google(transport).remove('987', many(googleBatchMembers * 2 + 1));
    expect(result.requests).toBe(3);
    expect(calls.every((c) => c.url.endsWith('/audienceMembers:remove'))).toBe(true);
    expect(calls.map((c) => JSON.parse(c.body).audienceMembers.length)).toEqual([10_000, 10_000, 1]);
    expect(JSON.parse(calls[0]!.body).termsOfService).toBeUndefined();
  });

  it('says it cannot replace a list, without calling Google', async () => {
    const { calls, transport } = recorder();
    const sync = google(transport);
    expect(sync.canReplace).toBe(false);
    await expect(sync.replace()).rejects.toThrow(/cannot replace/);
    expect(calls).toHaveLength(0);
  });
});

describe('platform failures', () => {
  it('marks 429 and 5xx retryable and a 400 final, naming the status', async () => {
    const sync = (status: number) => new MetaAudienceSync({ accessToken: 't', defaultCountry: 'JP', transport: recorder(status).transport });
    await expect(sync(429).add('1', [member(0)])).rejects.toMatchObject({ retryable: true, status: 429 });
    await expect(sync(503).add('1', [member(0)])).rejects.toMatchObject({ retryable: true, status: 503 });
    await expect(sync(400).add('1', [member(0)])).rejects.toMatchObject({ retryable: false, status: 400, message: /Invalid parameter/ });
  });

  it('treats no answer as retryable (outcome unknown)', async () => {
    const { transport } = recorder(200, new Error('socket hang up'));
    const sync = new GoogleAudienceSync({ customerId: '1', accessToken: async () => 't', defaultCountry: 'JP', transport });
    await expect(sync.add('2', [member(0)])).rejects.toMatchObject({ name: 'AudienceSyncError', retryable: true });
  });
});
