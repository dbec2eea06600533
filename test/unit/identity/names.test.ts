import { describe, expect, it } from 'vitest';
import { withNameTraits } from '../../../functions/identity/domain/names.js';
import { enrich } from '../../../functions/ingest/domain/enrich.js';

describe('reserved name traits', () => {
  it('splits a full name into first and last name, family name last in Western names', () => {
    expect(withNameTraits({ name: 'Ada King Lovelace' })).toMatchObject({ firstName: 'Ada', lastName: 'King Lovelace' });
    expect(withNameTraits({ name: 'Sam' })).toMatchObject({ firstName: 'Sam' });
  });

  it('puts the family name first in Japanese names, and leaves an unspaced one whole', () => {
    expect(withNameTraits({ name: '山田　太郎' })).toMatchObject({ lastName: '山田', firstName: '太郎' });
    expect(withNameTraits({ name: '山田太郎' })).toEqual({ name: '山田太郎' });
  });

  it('joins first and last name into name in the same order rules', () => {
    expect(withNameTraits({ firstName: 'Grace', lastName: 'Hopper' })).toMatchObject({ name: 'Grace Hopper' });
    expect(withNameTraits({ firstName: '花子', lastName: '佐藤' })).toMatchObject({ name: '佐藤 花子' });
  });

  it('never overwrites a name trait the message gave', () => {
    expect(withNameTraits({ name: 'Sam Ito', firstName: 'Samuel' })).toEqual({ name: 'Sam Ito', firstName: 'Samuel' });
  });

  it('is applied to identify traits at ingest', () => {
    const out = enrich(
      { type: 'identify', anonymousId: 'a-1', traits: { name: 'Sam Ito', email: 'sam@example.com' } } as never,
      { receivedAt: new Date('2026-11-29T10:00:00Z'), writeKey: 'wk' },
    );
    expect(out.traits).toMatchObject({ firstName: 'Sam', lastName: 'Ito', name: 'Sam Ito' });
  });
});
