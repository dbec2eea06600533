import { describe, expect, it } from 'vitest';
import type { CollectedEvent } from '../../../functions/ingest/domain/enrich.js';
import type { InboundPorts } from '../../../functions/crm/domain/receive.js';
import { signRequest } from '../../../functions/crm/domain/signature.js';
import { crmInboundRoutes } from '../../../functions/crm/routes.js';
import { serveRoutes } from '../../../functions/shared/http.js';
import { apiEvent } from '../../helpers/api-event.js';

const secret = 'crm-secret-0123456789abcdef0123456789abcdef';
const now = new Date('2026-12-01T09:00:30Z');

function memoryInbound(opts: { failPut?: boolean } = {}) {
  const guards = new Map<string, number>();
  const events: CollectedEvent[] = [];
  const profiles = new Map<string, string>();
  const ports: InboundPorts = {
    secrets: async () => ['old-secret-0123456789abcdef0123456789ab', secret],
    async guard(id, expiresAt) {
      if (guards.has(id)) return false;
      guards.set(id, expiresAt);
      return true;
    },
    async release(id) {
      guards.delete(id);
    },
    async profileOfEmail(email) {
      if (!profiles.has(email)) profiles.set(email, `p-${profiles.size + 1}`);
      return profiles.get(email)!;
    },
    async putEvents(batch) {
      if (opts.failPut) throw new Error('stream down');
      events.push(...batch);
    },
    now: () => now,
  };
  return { ports, guards, events, serve: serveRoutes(crmInboundRoutes, ports) };
}

const dealWon = { id: 'evt_1', type: 'deal_won', occurredAt: '2026-12-01T09:00:00Z', contact: { email: 'Ken@Example.co.jp' }, amount: 1200000, currency: 'JPY' };

function post(body: unknown, sign = secret, at = now) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = sign ? { 'nurture-signature': signRequest(sign, raw, at) } : {};
  return apiEvent({ path: '/v1/crm/events', body: raw, headers });
}
const bodyOf = (res: { body?: string }) => JSON.parse(res.body ?? '{}') as Record<string, unknown>;

describe('POST /v1/crm/events', () => {
  it('applies a signed deal_won: one track event for the lead, with the stage floor and the profile', async () => {
    const { serve, events, guards } = memoryInbound();
    const res = await serve(post(dealWon));
    expect(res.statusCode).toBe(200);
    expect(bodyOf(res)).toEqual({ success: true, id: 'evt_1', profileId: 'p-1' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'track', event: 'CRM Deal Won', messageId: 'crm-evt_1', source: 'nurture-crm', properties: { amount: 1200000, currency: 'JPY' } });
    expect(events[0]!.nurture).toMatchObject({ profileId: 'p-1', minStage: 'customer' });
    expect(guards.get('evt_1')).toBe(Math.floor(now.getTime() / 1000) + 2 * 86400);
  });

  it('answers 401 naming Nurture-Signature with the reason, and does nothing', async () => {
    const { serve, events, guards } = memoryInbound();
    const cases: [ReturnType<typeof post>, string][] = [
      [post(dealWon, ''), 'missing'],
      [post(dealWon, 'wrong-secret-0123456789abcdef0123456789'), 'mismatch'],
      [post(dealWon, secret, new Date(now.getTime() - 600_000)), 'stale'],
      [{ ...post(dealWon), headers: { 'nurture-signature': 't=1,v1=zz' } }, 'malformed'],
    ];
    for (const [req, reason] of cases) {
      const res = await serve(req);
      expect(res.statusCode).toBe(401);
      expect(bodyOf(res)).toMatchObject({ field: 'Nurture-Signature', reason });
    }
    // A body tampered with after signing.
    const signed = post(dealWon);
    const res = await serve({ ...signed, body: JSON.stringify({ ...dealWon, amount: 1 }) });
    expect(bodyOf(res)).toMatchObject({ reason: 'mismatch' });
    expect(events).toHaveLength(0);
    expect(guards.size).toBe(0);
  });

  it('accepts the previous secret during a rotation', async () => {
    const { serve } = memoryInbound();
    expect((await serve(post(dealWon, 'old-secret-0123456789abcdef0123456789ab'))).statusCode).toBe(200);
  });

  it('answers 200 duplicate to a repeated id and emits nothing more', async () => {
    const { serve, events } = memoryInbound();
    await serve(post(dealWon));
    const again = await serve(post(dealWon));
    expect(again.statusCode).toBe(200);
    expect(bodyOf(again)).toEqual({ success: true, id: 'evt_1', duplicate: true });
    expect(events).toHaveLength(1);
  });

  it('answers 400 naming the field of a bad body', async () => {
    const { serve, guards } = memoryInbound();
    const res = await serve(post({ ...dealWon, amount: -5 }));
    expect(res.statusCode).toBe(400);
    expect(bodyOf(res).field).toBe('amount');
    const notJson = await serve(post('{nope'));
    expect(bodyOf(notJson)).toMatchObject({ field: '(body)' });
    const noContact = await serve(post({ ...dealWon, contact: {} }));
    expect(bodyOf(noContact).field).toBe('contact');
    expect(guards.size).toBe(0);
  });

  it('answers 413 above 16 KB before checking anything', async () => {
    const { serve } = memoryInbound();
    const res = await serve(post({ ...dealWon, stage: 'x'.repeat(17_000) }));
    expect(res.statusCode).toBe(413);
  });

  it('answers 422 naming contact.email for a crmId-only event', async () => {
    const { serve, events, guards } = memoryInbound();
    const res = await serve(post({ ...dealWon, contact: { crmId: '00Q5g00000AbCdE' } }));
    expect(res.statusCode).toBe(422);
    expect(bodyOf(res).field).toBe('contact.email');
    expect(events).toHaveLength(0);
    expect(guards.size).toBe(0);
  });

  it('releases the id when the events cannot be stored, so the retry is applied', async () => {
    const { serve, guards } = memoryInbound({ failPut: true });
    await expect(serve(post(dealWon))).rejects.toThrow('stream down');
    expect(guards.size).toBe(0);
  });

  it('turns contact_updated into an identify with the traits and the email, without a stage floor', async () => {
    const { serve, events } = memoryInbound();
    await serve(post({ id: 'evt_2', type: 'contact_updated', occurredAt: '2026-12-01T09:00:00Z', contact: { email: 'ken@example.co.jp' }, traits: { company: 'Acme' } }));
    expect(events[0]).toMatchObject({ type: 'identify', traits: { company: 'Acme', email: 'ken@example.co.jp' } });
    expect(events[0]!.nurture.minStage).toBeUndefined();
  });
});
