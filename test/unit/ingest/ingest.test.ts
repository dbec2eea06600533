import { describe, expect, it } from 'vitest';
import { type IngestRequest, ingest } from '../../../functions/ingest/domain/ingest.js';
import { memoryPorts } from '../../helpers/memory-ports.js';

const auth = `Basic ${Buffer.from('key_12345678:').toString('base64')}`;

function request(kind: IngestRequest['kind'], body: unknown, extra: Partial<IngestRequest> = {}): IngestRequest {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { kind, body: text, bodyBytes: Buffer.byteLength(text), authorization: auth, receivedAt: new Date(), ...extra };
}

describe('ingest: authentication', () => {
  it('accepts the write key as Basic auth user name or as writeKey in the body', async () => {
    const { ports, events } = memoryPorts();
    await ingest(request('track', { anonymousId: 'a', event: 'X' }), ports);
    await ingest(request('track', { anonymousId: 'a', event: 'Y', writeKey: 'key_12345678' }, { authorization: undefined }), ports);
    expect(events.map((e) => e.event)).toEqual(['X', 'Y']);
  });

  it('never lets a public /v1/track body set the trusted envelope (nurture.minStage, profileId)', async () => {
    const { ports, events } = memoryPorts();
    const res = await ingest(request('track', { anonymousId: 'a', event: 'CRM Deal Won', nurture: { v: 1, bot: false, minStage: 'customer', profileId: 'victim' } }), ports);
    expect(res.accepted).toBe(1);
    expect(events).toHaveLength(1);
    expect(events[0]!.nurture.minStage).toBeUndefined();
    expect(events[0]!.nurture.profileId).toBeUndefined();
  });

  it('answers 401 for a missing or unknown key and stores nothing', async () => {
    const { ports, events } = memoryPorts();
    await expect(ingest(request('track', { anonymousId: 'a', event: 'X' }, { authorization: undefined }), ports)).rejects.toMatchObject({
      statusCode: 401,
    });
    const wrong = `Basic ${Buffer.from('nope_nope_nope:').toString('base64')}`;
    await expect(ingest(request('track', { anonymousId: 'a', event: 'X' }, { authorization: wrong }), ports)).rejects.toMatchObject({
      statusCode: 401,
      details: { field: 'writeKey' },
    });
    expect(events).toHaveLength(0);
  });
});

describe('ingest: validation', () => {
  it('names the missing field of a single message (400)', async () => {
    const { ports, events } = memoryPorts();
    await expect(ingest(request('track', { anonymousId: 'a' }), ports)).rejects.toMatchObject({
      statusCode: 400,
      details: { field: 'event' },
    });
    await expect(ingest(request('page', { properties: {} }), ports)).rejects.toMatchObject({
      statusCode: 400,
      details: { field: 'anonymousId' },
    });
    expect(events).toHaveLength(0);
  });

  it('rejects a body that is not a JSON object', async () => {
    const { ports } = memoryPorts();
    await expect(ingest(request('batch', 'not json'), ports)).rejects.toMatchObject({ statusCode: 400, details: { field: 'body' } });
    await expect(ingest(request('batch', '[1,2]'), ports)).rejects.toMatchObject({ statusCode: 400 });
  });

  it('takes the type from the endpoint, as Segment does', async () => {
    const { ports, events } = memoryPorts();
    await ingest(request('page', { type: 'track', anonymousId: 'a', name: 'Home' }), ports);
    expect(events[0]?.type).toBe('page');
  });

  it('answers 413 above 32 KB for a message and 500 KB for a batch', async () => {
    const { ports, events } = memoryPorts();
    const big = { anonymousId: 'a', event: 'X', properties: { blob: 'x'.repeat(33 * 1024) } };
    await expect(ingest(request('track', big), ports)).rejects.toMatchObject({ statusCode: 413 });
    const huge = { batch: Array.from({ length: 20 }, () => ({ ...big, type: 'track' })) };
    await expect(ingest(request('batch', huge), ports)).rejects.toMatchObject({ statusCode: 413 });
    expect(events).toHaveLength(0);
  });
});

describe('ingest: batches', () => {
  it('stores the valid messages and reports each invalid one by index and field', async () => {
    const { ports, events } = memoryPorts();
    const result = await ingest(
      request('batch', {
        batch: [
          { type: 'page', anonymousId: 'a', name: 'Home' },
          { type: 'track', anonymousId: 'a' },
          { type: 'nonsense', anonymousId: 'a' },
          { type: 'track', anonymousId: 'a', event: 'Clicked', properties: { big: 'x'.repeat(33 * 1024) } },
          { type: 'track', anonymousId: 'a', event: 'Signed Up' },
        ],
      }),
      ports,
    );
    expect(result.accepted).toBe(2);
    expect(result.rejected.map((r) => [r.index, r.field])).toEqual([
      [1, 'batch[1].event'],
      [2, 'batch[2].type'],
      [3, 'batch[3]'],
    ]);
    expect(events.map((e) => e.name ?? e.event)).toEqual(['Home', 'Signed Up']);
  });

  it('answers 400 when no message of the batch is valid', async () => {
    const { ports, events } = memoryPorts();
    await expect(ingest(request('batch', { batch: [{ type: 'track' }] }), ports)).rejects.toMatchObject({
      statusCode: 400,
      details: { field: 'batch[0].event' },
    });
    await expect(ingest(request('batch', { batch: [] }), ports)).rejects.toMatchObject({ statusCode: 400, details: { field: 'batch' } });
    expect(events).toHaveLength(0);
  });

  it('applies batch-level sentAt and context to every message', async () => {
    const { ports, events } = memoryPorts();
    const receivedAt = new Date('2026-05-01T12:00:00.000Z');
    await ingest(
      request(
        'batch',
        {
          sentAt: '2026-05-01T13:00:00.000Z',
          context: { locale: 'ja-JP' },
          batch: [{ type: 'track', event: 'X', anonymousId: 'a', timestamp: '2026-05-01T12:59:00.000Z' }],
        },
        { receivedAt },
      ),
      ports,
    );
    expect(events[0]?.timestamp).toBe('2026-05-01T11:59:00.000Z');
    expect(events[0]?.context.locale).toBe('ja-JP');
  });
});

describe('ingest: identity', () => {
  it('resolves identify calls synchronously and puts the profile on the event', async () => {
    const { ports, events } = memoryPorts();
    await ingest(request('page', { anonymousId: 'anon-1' }), ports);
    await ingest(request('identify', { anonymousId: 'anon-1', traits: { email: 'Ann@Example.com ' } }), ports);
    const identifyEvent = events.find((e) => e.type === 'identify');
    expect(identifyEvent?.nurture.profileId).toMatch(/^p_/);
    // Same person on a second device: the same profile, and the second device's anonymous profile merges.
    await ingest(request('identify', { anonymousId: 'anon-2', traits: { email: 'ann@example.com' } }), ports);
    const second = events.at(-1);
    expect(second?.nurture.profileId).toBe(identifyEvent?.nurture.profileId);
    expect(second?.nurture.mergeFrom).toHaveLength(1);
  });
});

describe('ingest: the nurture envelope', () => {
  it('drops a nurture field a client sends and sets the click id from the page URL itself', async () => {
    const { ports, events } = memoryPorts();
    const forged = { v: 1, bot: false, profileId: 'someone-else', mergeFrom: ['victim'], clickId: { type: 'gclid', value: 'forged' } };

    await ingest(
      request('batch', {
        batch: [
          { type: 'page', anonymousId: 'a', nurture: forged, context: { page: { url: 'https://www.example.com/lp?fbclid=IwAR0abc' } } },
          { type: 'track', event: 'X', anonymousId: 'a', nurture: forged },
        ],
      }),
      ports,
    );

    expect(events.map((e) => e.nurture)).toEqual([
      { v: 1, bot: false, clickId: { type: 'fbclid', value: 'IwAR0abc' } },
      { v: 1, bot: false },
    ]);
  });
});
