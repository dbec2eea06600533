import { describe, expect, it } from 'vitest';
import { identify } from '../../../functions/identity/domain/identify.js';
import { anonymousProfileId, knownProfileId, normalizeEmail } from '../../../functions/identity/domain/keys.js';
import { decideIdentify } from '../../../functions/identity/domain/resolve.js';
import { MemoryLinkStore } from '../../helpers/memory-ports.js';

const t = (minute: number) => `2026-05-01T12:${String(minute).padStart(2, '0')}:00.000Z`;

describe('email normalization', () => {
  it('trims and lower-cases but keeps provider-specific variants distinct', () => {
    expect(normalizeEmail('  Ann.Lee+news@Example.COM ')).toBe('ann.lee+news@example.com');
    expect(normalizeEmail('not an email')).toBeUndefined();
    expect(normalizeEmail(42)).toBeUndefined();
  });
});

describe('identity resolution', () => {
  it('turns an anonymous visitor into the known lead, keeping the anonymous profile', async () => {
    const store = new MemoryLinkStore();
    const r = await identify({ anonymousId: 'a1', userId: 'u1', at: t(1) }, store);
    expect(r).toEqual({ profileId: anonymousProfileId('a1'), mergeFrom: [] });
    expect(store.items.get('user:u1')?.profileId).toBe(anonymousProfileId('a1'));
    expect(store.items.get('anon:a1')?.knownAs).toBe('user:u1');
  });

  it('is idempotent: replaying the same identify changes nothing', async () => {
    const store = new MemoryLinkStore();
    const first = await identify({ anonymousId: 'a1', userId: 'u1', email: 'a@x.io', at: t(1) }, store);
    const snapshot = JSON.stringify([...store.items]);
    const again = await identify({ anonymousId: 'a1', userId: 'u1', email: 'a@x.io', at: t(1) }, store);
    expect(again).toEqual(first);
    expect(JSON.stringify([...store.items])).toBe(snapshot);
  });

  it('resolves several devices of one person to one profile and merges their anonymous history', async () => {
    const store = new MemoryLinkStore();
    const laptop = await identify({ anonymousId: 'laptop', userId: 'u1', at: t(1) }, store);
    const phone = await identify({ anonymousId: 'phone', userId: 'u1', at: t(2) }, store);
    expect(phone?.profileId).toBe(laptop?.profileId);
    expect(phone?.mergeFrom).toEqual([anonymousProfileId('phone')]);
  });

  it('does not hand a shared computer\'s history to a second person', async () => {
    const store = new MemoryLinkStore();
    const ann = await identify({ anonymousId: 'kiosk', email: 'ann@x.io', at: t(1) }, store);
    const bob = await identify({ anonymousId: 'kiosk', email: 'bob@x.io', at: t(2) }, store);
    expect(bob?.profileId).toBe(knownProfileId({ kind: 'email', value: 'bob@x.io' }));
    expect(bob?.profileId).not.toBe(ann?.profileId);
    expect(bob?.mergeFrom).toEqual([]);
    // Later events of this browser follow Bob.
    expect(store.items.get('anon:kiosk')?.profileId).toBe(bob?.profileId);
  });

  it('keeps the newest identify of a browser when an older one is redelivered late', async () => {
    const store = new MemoryLinkStore();
    await identify({ anonymousId: 'kiosk', email: 'ann@x.io', at: t(1) }, store);
    const bob = await identify({ anonymousId: 'kiosk', email: 'bob@x.io', at: t(2) }, store);
    await identify({ anonymousId: 'kiosk', email: 'ann@x.io', at: t(1) }, store);
    expect(store.items.get('anon:kiosk')?.profileId).toBe(bob?.profileId);
  });

  it('merges two known profiles that one identify shows to be the same person', async () => {
    const store = new MemoryLinkStore();
    const byEmail = await identify({ anonymousId: 'a1', email: 'c@x.io', at: t(1) }, store);
    const byUser = await identify({ anonymousId: 'a2', userId: 'u9', at: t(2) }, store);
    const both = await identify({ userId: 'u9', email: 'c@x.io', at: t(3) }, store);
    expect(both?.profileId).toBe(byUser?.profileId);
    expect(both?.mergeFrom).toEqual([byEmail?.profileId]);
  });

  it('links an alias of an earlier user id to the same profile', async () => {
    const store = new MemoryLinkStore();
    const old = await identify({ anonymousId: 'a1', userId: 'legacy-7', at: t(1) }, store);
    const aliased = await identify({ userId: 'new-7', previousId: 'legacy-7', at: t(2) }, store);
    expect(aliased?.profileId).toBe(old?.profileId);
    expect(store.items.get('user:new-7')?.profileId).toBe(old?.profileId);
  });

  it('treats an alias from an anonymous id like an identify of that browser', async () => {
    const store = new MemoryLinkStore();
    const r = await identify({ userId: 'u5', previousId: 'anon-5', at: t(1) }, store);
    expect(r?.profileId).toBe(anonymousProfileId('anon-5'));
  });

  it('answers nothing for an identify without a known identity', async () => {
    expect(await identify({ anonymousId: 'a', email: 'nope', at: t(1) }, new MemoryLinkStore())).toBeUndefined();
  });

  it('agrees with a concurrent writer that created the link first', async () => {
    const store = new MemoryLinkStore();
    const [a, b] = await Promise.all([
      identify({ anonymousId: 'dev-a', userId: 'u1', at: t(1) }, store),
      identify({ anonymousId: 'dev-b', userId: 'u1', at: t(1) }, store),
    ]);
    expect(a?.profileId).toBe(b?.profileId);
    expect(store.items.get('anon:dev-a')?.profileId).toBe(store.items.get('anon:dev-b')?.profileId);
  });

  it('decides purely from the links it is given', () => {
    const d = decideIdentify({ known: [{ kind: 'user', value: 'u' }], links: new Map() });
    expect(d).toEqual({
      profileId: knownProfileId({ kind: 'user', value: 'u' }),
      mergeFrom: [],
      writes: [{ op: 'create', key: { kind: 'user', value: 'u' }, link: { profileId: knownProfileId({ kind: 'user', value: 'u' }) } }],
    });
  });
});
