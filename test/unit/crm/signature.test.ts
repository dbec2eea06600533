import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inboundReplayKey, signatureToleranceSeconds, signRequest, verifySignature } from '../../../functions/crm/domain/signature.js';
import { createHmac } from 'node:crypto';

const now = new Date('2026-12-08T00:00:00Z');
const body = '{"id":"evt_1","type":"deal_won"}';
const secret = 'whsec_current';

describe('request signature', () => {
  it('signs as t=<seconds>,v1=<hex hmac of "<t>.<body>"> so a receiver can verify with any HMAC library', () => {
    const header = signRequest(secret, body, now);
    const t = Math.floor(now.getTime() / 1000);
    expect(header).toBe(`t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`);
  });

  it('verifies what it signed', () => {
    expect(verifySignature([secret], signRequest(secret, body, now), body, now)).toEqual({ ok: true, timestamp: now.getTime() / 1000 });
  });

  it('refuses a tampered body and a wrong secret as mismatch', () => {
    const header = signRequest(secret, body, now);
    expect(verifySignature([secret], header, body.replace('won', 'lost'), now)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(['other'], header, body, now)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('refuses a timestamp beyond the tolerance either way, accepts one at its edge', () => {
    const header = signRequest(secret, body, now);
    const later = (s: number) => new Date(now.getTime() + s * 1000);
    expect(verifySignature([secret], header, body, later(signatureToleranceSeconds))).toMatchObject({ ok: true });
    expect(verifySignature([secret], header, body, later(signatureToleranceSeconds + 1))).toEqual({ ok: false, reason: 'stale' });
    expect(verifySignature([secret], header, body, later(-signatureToleranceSeconds - 1))).toEqual({ ok: false, reason: 'future' });
    expect(verifySignature([secret], header, body, later(60), 30)).toEqual({ ok: false, reason: 'stale' });
  });

  it('says missing for no header and malformed for one it cannot read', () => {
    expect(verifySignature([secret], undefined, body, now)).toEqual({ ok: false, reason: 'missing' });
    expect(verifySignature([secret], '  ', body, now)).toEqual({ ok: false, reason: 'missing' });
    const hex = 'a'.repeat(64);
    for (const bad of ['garbage', `v1=${hex}`, 't=1765152000', `t=abc,v1=${hex}`, `t=1,t=2,v1=${hex}`, 't=1765152000,v1=xyz', `t=1765152000,v1=${'A'.repeat(64)}`, `t=1765152000,${'v1='.concat(hex, ',').repeat(6)}`]) {
      expect(verifySignature([secret], bad, body, now), bad).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('supports rotation: a header signed with both secrets verifies against either, one with the old secret against [new, old]', () => {
    const both = signRequest(['new', 'old'], body, now);
    expect(both.match(/v1=/g)).toHaveLength(2);
    expect(verifySignature(['new'], both, body, now)).toMatchObject({ ok: true });
    expect(verifySignature(['old'], both, body, now)).toMatchObject({ ok: true });
    expect(verifySignature(['new', 'old'], signRequest('old', body, now), body, now)).toMatchObject({ ok: true });
    expect(verifySignature(['newer'], both, body, now)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('ignores unknown schemes next to v1 (a future v2)', () => {
    const header = `${signRequest(secret, body, now)},v0=abc`;
    expect(verifySignature([secret], header, body, now)).toMatchObject({ ok: true });
  });

  it('round-trips any body and secret, and rejects any other body', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string({ minLength: 1 }), (b, other, s) => {
        const header = signRequest(s, b, now);
        expect(verifySignature([s], header, b, now).ok).toBe(true);
        expect(verifySignature([s], header, Buffer.from(b, 'utf8'), now).ok).toBe(true);
        if (other !== b) expect(verifySignature([s], header, other, now).ok).toBe(false);
      }),
    );
  });

  it('names the replay guard item of an inbound event', () => {
    expect(inboundReplayKey('evt_1')).toBe('crmin#evt_1');
  });
});
