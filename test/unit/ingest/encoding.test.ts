import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../../functions/ingest/domain/encoding.js';
import { limits } from '../../../functions/ingest/domain/limits.js';

const body = JSON.stringify({ batch: [{ type: 'track', anonymousId: 'a', event: 'Compressed ✓' }] });

describe('compressed request bodies', () => {
  it('undoes gzip, deflate (zlib or raw) and identity, measuring the decoded size', () => {
    const bytes = Buffer.byteLength(body);
    expect(decodeBody(gzipSync(body), 'gzip')).toEqual({ text: body, bytes });
    expect(decodeBody(gzipSync(body), ' X-GZIP ')).toEqual({ text: body, bytes });
    expect(decodeBody(deflateSync(body), 'deflate')).toEqual({ text: body, bytes });
    expect(decodeBody(deflateRawSync(body), 'deflate')).toEqual({ text: body, bytes });
    expect(decodeBody(Buffer.from(body), 'identity')).toEqual({ text: body, bytes });
    expect(decodeBody(Buffer.from(body), undefined)).toEqual({ text: body, bytes });
  });

  it('answers 415 naming content-encoding for codings it cannot undo', () => {
    for (const coding of ['br', 'compress', 'zstd', 'gzip, gzip']) {
      expect(() => decodeBody(gzipSync(body), coding)).toThrow(expect.objectContaining({ statusCode: 415, details: { field: 'content-encoding' } }));
    }
  });

  it('answers 400 for a body that is not what its coding says', () => {
    expect(() => decodeBody(Buffer.from(body), 'gzip')).toThrow(expect.objectContaining({ statusCode: 400, details: { field: 'body' } }));
    expect(() => decodeBody(gzipSync(body).subarray(0, 20), 'gzip')).toThrow(expect.objectContaining({ statusCode: 400 }));
  });

  it('answers 413 with limitBytes for a gzip bomb, stopping at the limit', () => {
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(20_000);
    expect(() => decodeBody(bomb, 'gzip')).toThrow(expect.objectContaining({ statusCode: 413, details: { limitBytes: limits.batchBytes } }));
    expect(() => decodeBody(deflateSync(Buffer.alloc(10 * 1024 * 1024)), 'deflate')).toThrow(expect.objectContaining({ statusCode: 413 }));
    // Exactly at the limit is still accepted.
    expect(decodeBody(gzipSync(Buffer.alloc(limits.batchBytes, 0x20)), 'gzip').bytes).toBe(limits.batchBytes);
  });
});
