import { describe, expect, it } from 'vitest';
import { type IngestRequest, ingest } from '../../../functions/ingest/domain/ingest.js';
import { limits } from '../../../functions/ingest/domain/limits.js';
import { checkNesting } from '../../../functions/ingest/domain/nesting.js';
import { pixelRequest } from '../../../functions/ingest/domain/pixel.js';
import { memoryPorts } from '../../helpers/memory-ports.js';

const auth = `Basic ${Buffer.from('key_12345678:').toString('base64')}`;
const request = (kind: IngestRequest['kind'], text: string): IngestRequest => ({
  kind,
  body: text,
  bodyBytes: Buffer.byteLength(text),
  authorization: auth,
  receivedAt: new Date(),
});

/** `{"a":{"a":…1…}}` with `levels` objects, as text (JSON.stringify itself overflows on the deep ones). */
const nested = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const arrays = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
/** A message as JSON text with `raw` spliced in as its properties. */
const message = (fields: Record<string, unknown>, properties?: string) =>
  properties === undefined ? JSON.stringify(fields) : `${JSON.stringify(fields).slice(0, -1)},"properties":${properties}}`;
const deepField = (prefix: string, levels: number) => `${prefix}${'.a'.repeat(levels - 1)}`;

describe('nesting limit: a single message', () => {
  it(`accepts ${limits.nestingDepth} levels below the message and refuses ${limits.nestingDepth + 1}, naming where`, async () => {
    const { ports, events } = memoryPorts();
    // properties is level 1, properties.a level 2: 32 nested objects as properties reach level 32.
    await ingest(request('track', message({ anonymousId: 'a', event: 'Deep' }, nested(limits.nestingDepth))), ports);
    expect(events).toHaveLength(1);
    await expect(
      ingest(request('track', message({ anonymousId: 'a', event: 'Deeper' }, nested(limits.nestingDepth + 1))), ports),
    ).rejects.toMatchObject({ statusCode: 400, details: { field: deepField('properties', limits.nestingDepth + 1) } });
    expect(events).toHaveLength(1);
  });

  it('answers 400 (not a stack overflow) for properties 4,000 levels deep', async () => {
    const { ports, events } = memoryPorts();
    const body = message({ anonymousId: 'a', event: 'Hostile' }, nested(4000));
    const err = await ingest(request('track', body), ports).catch((e: unknown) => e);
    expect(err).toMatchObject({ statusCode: 400, message: expect.stringContaining(`deeper than ${limits.nestingDepth} levels`) });
    expect((err as { details: { field: string } }).details.field).toBe(deepField('properties', limits.nestingDepth + 1));
    expect(events).toHaveLength(0);
  });

  it('answers 400 for a body of 100,000 nested arrays, with or without an object around it', async () => {
    const { ports } = memoryPorts();
    await expect(ingest(request('batch', arrays(100_000)), ports)).rejects.toMatchObject({ statusCode: 400, details: { field: 'body' } });
    await expect(ingest(request('track', message({ anonymousId: 'a', event: 'E' }, `{"x":${arrays(10_000)}}`)), ports)).rejects.toMatchObject({
      statusCode: 400,
      details: { field: `properties.x${'[0]'.repeat(limits.nestingDepth - 1)}` },
    });
  });

  it('does not count brackets inside strings', () => {
    const text = JSON.stringify({ anonymousId: 'a', event: 'E', properties: { s: `"${'{['.repeat(5000)}\\"`, t: ']]}}' } });
    expect(checkNesting(text, 'message')).toEqual({ text, tooDeep: [] });
  });

  it('keeps the pixel answering for data nested too deep (the pixel serializes the message again)', () => {
    const data = Buffer.from(message({ type: 'track', event: 'Open', anonymousId: 'a' }, `{"x":${arrays(15_000)}}`)).toString('base64url');
    expect(data.length).toBeLessThan((limits.messageBytes * 4) / 3);
    const result = pixelRequest({ data }, { receivedAt: new Date() });
    expect(result).toBeInstanceOf(Error);
    expect(result).toMatchObject({ statusCode: 400, details: { field: `properties.x${'[0]'.repeat(limits.nestingDepth - 1)}` } });
  });
});

describe('nesting limit: a batch', () => {
  it('rejects only the message nested too deep, listing its index and field, and stores the others', async () => {
    const { ports, events } = memoryPorts();
    const track = { type: 'track', anonymousId: 'a' };
    const batch = [
      message({ ...track, event: 'First' }),
      message({ ...track, event: 'Hostile' }, nested(4000)),
      message({ ...track, event: 'Deep but legal' }, nested(limits.nestingDepth)),
      message({ ...track, event: 'Arrays' }, `{"x":${arrays(5000)}}`),
      message({ ...track, event: 'Last' }),
    ];
    const result = await ingest(request('batch', `{"batch":[${batch.join(',')}]}`), ports);
    expect(events.map((e) => e.event)).toEqual(['First', 'Deep but legal', 'Last']);
    expect(result.rejected).toEqual([
      { index: 1, field: deepField('batch[1].properties', limits.nestingDepth + 1), error: `nested deeper than ${limits.nestingDepth} levels` },
      { index: 3, field: `batch[3].properties.x${'[0]'.repeat(limits.nestingDepth - 1)}`, error: `nested deeper than ${limits.nestingDepth} levels` },
    ]);
  });

  it('answers 400 when the batch holds nothing but a 100,000-deep message', async () => {
    const { ports, events } = memoryPorts();
    const body = `{"batch":[${arrays(100_000)}]}`;
    await expect(ingest(request('batch', body), ports)).rejects.toMatchObject({
      statusCode: 400,
      details: { field: `batch[0]${'[0]'.repeat(limits.nestingDepth + 1)}`, rejected: [{ index: 0 }] },
    });
    expect(events).toHaveLength(0);
  });

  it('refuses the whole request when the envelope itself (its context) is nested too deep', async () => {
    const { ports, events } = memoryPorts();
    const body = `{"context":${nested(100)},"batch":[${message({ type: 'track', anonymousId: 'a', event: 'E' })}]}`;
    await expect(ingest(request('batch', body), ports)).rejects.toMatchObject({
      statusCode: 400,
      details: { field: deepField('context', limits.nestingDepth + 1) },
    });
    expect(events).toHaveLength(0);
  });
});

describe('malformed bodies', () => {
  it('names the problem: empty, not JSON (with the parser\'s position), not an object', async () => {
    const { ports } = memoryPorts();
    await expect(ingest(request('track', ''), ports)).rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining('empty') });
    await expect(ingest(request('track', '{"anonymousId":"a",'), ports)).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/^body is not valid JSON \(.+\)$/),
      details: { field: 'body' },
    });
    await expect(ingest(request('track', '"text"'), ports)).rejects.toMatchObject({ statusCode: 400, message: 'body must be a JSON object' });
  });
});
