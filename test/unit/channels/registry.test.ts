import { describe, expect, it } from 'vitest';
import { mediaRows, readRegistryFile, setRegistry } from '../../../cli/commands/channel-registry.js';
import { classify, defaultMedia, effectiveMedia, type RegistryDoc } from '../../../functions/channels/domain/registry.js';

describe('registry in force', () => {
  it('lets an own medium with a default id replace that default in its place, and tries own media first', () => {
    const own: RegistryDoc = {
      media: [
        { id: 'meta-ads', name: 'Meta (agency account)', group: 'paid_social', match: [{ source: ['fb', 'ig'], campaign: ['agency-*'] }] },
        { id: 'acme', name: 'Acme network', group: 'display', match: [{ source: ['google'], medium: ['cpc'], campaign: ['acme-*'] }] },
      ],
    };
    const media = effectiveMedia(own);
    expect(media.filter((m) => m.id === 'meta-ads')).toHaveLength(1);
    expect(media.length).toBe(defaultMedia.length + 1);
    // The own meta-ads no longer matches what only the default did.
    expect(classify({ source: 'facebook', medium: 'cpc' }, media)).toMatchObject({ medium: 'facebook', group: 'organic_social' });
    expect(classify({ source: 'fb', campaign: 'agency-q1' }, media)).toMatchObject({ medium: 'meta-ads', mediumName: 'Meta (agency account)' });
    // An own medium comes before the default that would match too.
    expect(classify({ source: 'google', medium: 'cpc', campaign: 'acme-7' }, media).medium).toBe('acme');
    expect(classify({ source: 'google', medium: 'cpc', campaign: 'spring' }, media).medium).toBe('google-ads');
  });

  it('makes utm_medium=referral a referral, but a paid medium with the same source stays paid', () => {
    expect(classify({ source: 'partner.example', medium: 'referral' })).toMatchObject({ medium: 'referral', group: 'referral' });
    expect(classify({ source: 'partner.example', medium: 'newsletter' })).toMatchObject({ group: 'email' });
  });
});

describe('nurture channels set / show', () => {
  function store(version = 0) {
    const state = { doc: { media: [] } as RegistryDoc, version };
    return {
      state,
      stored: async () => structuredClone(state),
      registry: async () => (state.version === 0 ? undefined : structuredClone(state.doc)),
      putRegistry: async (doc: RegistryDoc, expected: number) => {
        if (expected !== state.version) return false;
        Object.assign(state, { doc, version: expected + 1 });
        return true;
      },
    };
  }
  const file = 'media:\n  - id: acme\n    name: Acme\n    group: affiliate\n    match:\n      - source: [acme]\n';

  it('reports every problem at its line with the key meant', () => {
    const bad = 'media:\n  - id: Acme!\n    name: Acme\n    group: affiliat\n    match:\n      - sorce: [acme]\n';
    const { doc, problems } = readRegistryFile(bad);
    expect(doc).toBeUndefined();
    expect(problems.map((p) => [p.field, p.line])).toEqual([
      ['media[0].id', 2],
      ['media[0].group', 4],
      ['media[0].match[0].sorce', 6],
    ]);
    expect(problems[1]!.suggestion).toBe('affiliate');
    expect(problems[2]!.suggestion).toBe('source');
  });

  it('stores at the version read, says when a replay was stored already, and refuses a file whose version is stale', async () => {
    const s = store();
    expect(await setRegistry(s, 'a.yaml', file)).toBe('a.yaml: 1 own media stored as version 1');
    expect(await setRegistry(s, 'a.yaml', `version: 0\n${file}`)).toBe('a.yaml: already stored as version 1');
    await expect(setRegistry(s, 'b.yaml', `version: 0\n${file.replace('Acme', 'Acme 2')}`)).rejects.toThrow(/at version 1, not 0/);
    await expect(setRegistry(s, 'c.yaml', 'media: [{ id: x }]')).rejects.toThrow(/c\.yaml:1:\d+ +media\[0\]\.name/);
    // `show --json` output, edited, is a valid file.
    expect((await readRegistryFile(JSON.stringify({ version: 1, updatedAt: 'x', defaults: [], media: [] }))).problems).toEqual([]);
  });

  it('shows own media first and marks a replaced default', () => {
    const rows = mediaRows({ media: [{ id: 'google-ads', name: 'Google Ads (MCC)', group: 'paid_search', match: [{ clickId: ['gclid'] }] }] });
    expect(rows[0]).toEqual({ id: 'google-ads', name: 'Google Ads (MCC)', group: 'paid_search', from: 'own (replaces default)' });
    expect(rows.filter((r) => r.from === 'default')).toHaveLength(defaultMedia.length - 1);
  });
});
