import { describe, expect, it } from 'vitest';
import { checkSubmission, networkPrefixOf, rateWindow, rateLimit } from '../../../functions/forms/domain/spam.js';
import { issueRenderToken } from '../../../functions/forms/domain/tokens.js';

const secret = 's'.repeat(40);
const t0 = new Date('2026-11-02T10:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const token = issueRenderToken(secret, { f: 'brochure' }, t0);
const check = (over: Partial<Parameters<typeof checkSubmission>[0]>) =>
  checkSubmission({ secret, formId: 'brochure', token, honeypot: undefined, minFillSeconds: undefined, now: at(10_000), ...over });

describe('spam decisions', () => {
  it('accepts a genuine token after the minimum fill time with an empty honeypot', () => {
    expect(check({})).toMatchObject({ ok: true, claims: { f: 'brochure', i: t0.getTime() } });
  });

  it('refuses a missing, forged, other form\'s or expired token as `token`', () => {
    const refused = { ok: false, reason: 'token', field: '_token' };
    expect(check({ token: undefined })).toEqual(refused);
    expect(check({ token: `${token.slice(0, -2)}xx` })).toEqual(refused);
    expect(check({ token: issueRenderToken('t'.repeat(40), { f: 'brochure' }, t0) })).toEqual(refused);
    expect(check({ formId: 'other' })).toEqual(refused);
    expect(check({ now: at(25 * 3600_000) })).toEqual(refused);
  });

  it('refuses a filled honeypot, then a submission faster than the form\'s minimum (default 3 s)', () => {
    expect(check({ honeypot: 'http://spam' })).toEqual({ ok: false, reason: 'honeypot', field: '_hp' });
    expect(check({ now: at(300) })).toEqual({ ok: false, reason: 'too-fast', field: '_token' });
    expect(check({ now: at(2_999) }).ok).toBe(false);
    expect(check({ now: at(3_000) }).ok).toBe(true);
    expect(check({ now: at(300), minFillSeconds: 0 }).ok).toBe(true);
    expect(check({ now: at(9_000), minFillSeconds: 10 })).toMatchObject({ reason: 'too-fast' });
  });

  it('counts per IPv4 /24 and IPv6 /48 in fixed windows that expire a window after they end', () => {
    expect(networkPrefixOf('203.0.113.77')).toBe('203.0.113.0/24');
    expect(networkPrefixOf('2001:db8:abcd:12::1')).toBe('2001:db8:abcd::/48');
    const w = rateWindow(at(61_000));
    expect(w.startMs % rateLimit.windowMs).toBe(0);
    expect(w.startMs).toBeLessThanOrEqual(at(61_000).getTime());
    expect(w.expiresAt * 1000).toBe(w.startMs + 2 * rateLimit.windowMs);
  });
});
