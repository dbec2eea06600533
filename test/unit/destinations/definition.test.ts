import { describe, expect, it } from 'vitest';
import { destinationLimits, destinationSchema, destinationSetProblems } from '../../../functions/destinations/domain/definition.js';
import { checkSchema, validateYaml } from '../../../functions/shared/validation.js';

const salesforce = {
  preset: 'salesforce',
  endpoint: 'https://acme.my.salesforce.com',
  auth: { type: 'oauth-client-credentials', secretName: 'nurture/salesforce' },
  events: [{ type: 'lead.stage_changed', filter: { to: ['mql', 'sql'] } }, 'lead.handoff'],
  mapping: {},
};
const fields = (value: unknown) => checkSchema(destinationSchema, value).problems.map((p) => p.field);

describe('destination definition', () => {
  it('accepts a Salesforce definition from YAML and fills the defaults', () => {
    const yaml = [
      'preset: salesforce',
      'endpoint: https://acme.my.salesforce.com',
      'auth: { type: oauth-client-credentials, secretName: nurture/salesforce }',
      'events:',
      '  - { type: lead.stage_changed, filter: { to: [mql, sql] } }',
      '  - lead.handoff',
      'mapping: { externalIdField: Nurture_Id__c }',
    ].join('\n');
    const { data, problems } = validateYaml(yaml, destinationSchema);
    expect(problems).toEqual([]);
    expect(data).toMatchObject({ rateLimitPerSecond: 10, enabled: true, mapping: { externalIdField: 'Nurture_Id__c', leadSource: 'Nurture', companyField: 'Company', descriptionField: 'Description' } });
  });

  it('accepts each preset', () => {
    const ok = (value: unknown) => expect(checkSchema(destinationSchema, value).problems).toEqual([]);
    ok({ preset: 'hubspot', endpoint: 'https://api.hubapi.com', auth: { type: 'api-key', secretName: 'hs' }, events: ['lead.stage_changed'], mapping: { scoreProperty: 'nurture_score' } });
    ok({ preset: 'kintone', endpoint: 'https://example.cybozu.com', auth: { type: 'api-key', secretName: 'kt' }, events: ['lead.handoff'], mapping: { app: 12, fields: { email: 'メール', stage: 'ステージ' } } });
    ok({ preset: 'slack', endpoint: 'https://hooks.slack.com/services/T/B/X', auth: { type: 'none' }, events: ['lead.handoff'] });
    ok({ preset: 'webhook', endpoint: 'https://crm.example.com/hooks/nurture', auth: { type: 'basic', secretName: 'wh' }, events: [{ type: 'segment.entered', filter: { segments: ['hot'] } }], mapping: { signingSecretName: 'nurture/webhook-signing' } });
  });

  it('names the field of each semantic problem', () => {
    expect(fields({ ...salesforce, endpoint: 'http://acme.my.salesforce.com' })).toEqual(['endpoint']);
    expect(fields({ ...salesforce, auth: { type: 'api-key', secretName: 'x' } })).toEqual(['auth.type']);
    expect(fields({ ...salesforce, auth: { type: 'oauth-client-credentials' } })).toEqual(['auth.secretName']);
    expect(fields({ ...salesforce, auth: { type: 'oauth-client-credentials', secretName: 'has spaces' } })).toEqual(['auth.secretName']);
    expect(fields({ ...salesforce, rateLimitPerSecond: 301 })).toEqual(['rateLimitPerSecond']);
    expect(fields({ ...salesforce, rateLimitPerSecond: 0 })).toEqual(['rateLimitPerSecond']);
    expect(fields({ ...salesforce, events: ['lead.handoff', 'lead.handoff'] })).toEqual(['events[1]']);
    expect(fields({ ...salesforce, events: [{ type: 'lead.stage_changed', filter: { to: ['hot'] } }] })).toEqual(['events[0].filter.to[0]']);
    expect(fields({ ...salesforce, events: [{ type: 'lead.lifecycle_changed', filter: { from: ['active', 'mql'] } }] })).toEqual(['events[0].filter.from[1]']);
    expect(fields({ ...salesforce, events: [{ type: 'lead.handoff', filter: { to: ['mql'] } }] })).toEqual(['events[0].filter']);
    expect(fields({ ...salesforce, events: [{ type: 'lead.identified', filter: { segments: ['a'] } }] })).toEqual(['events[0].filter.segments']);
    expect(fields({ ...salesforce, events: ['lead.sold'] })[0]).toMatch(/^events\[0\]/);
    expect(fields({ ...salesforce, mapping: { externalIdField: 'bad field' } })).toEqual(['mapping.externalIdField']);
    expect(fields({ preset: 'slack', endpoint: 'https://example.com/hook', auth: { type: 'none' }, events: ['lead.handoff'] })).toEqual(['endpoint']);
    expect(fields({ preset: 'kintone', endpoint: 'https://example.cybozu.com/k/1', auth: { type: 'api-key', secretName: 'k' }, events: ['lead.handoff'], mapping: { app: 1, fields: {} } })).toEqual(
      expect.arrayContaining(['endpoint', 'mapping.fields']),
    );
    expect(fields({ preset: 'webhook', endpoint: 'https://x.example', auth: { type: 'none' }, events: ['lead.handoff'], mapping: {} })).toEqual(['mapping.signingSecretName']);
  });

  it('reports, never throws, on documents of the wrong shape', () => {
    for (const bad of [null, 'x', [], {}, { ...salesforce, auth: null }, { ...salesforce, endpoint: 5 }, { ...salesforce, events: [null, 7, {}] }, { preset: 'kintone', endpoint: 'https://a.cybozu.com', auth: { type: 'none' }, events: ['lead.handoff'] }]) {
      expect(checkSchema(destinationSchema, bad).problems.length, JSON.stringify(bad)).toBeGreaterThan(0);
    }
  });

  it('bounds the event types per destination', () => {
    const events = Array.from({ length: destinationLimits.eventTypes + 1 }, () => 'lead.handoff');
    expect(fields({ ...salesforce, events })).toContain('events');
  });

  it('bounds the destinations of a deployment and their ids', () => {
    expect(destinationSetProblems(['salesforce', 'slack-sales'])).toEqual([]);
    expect(destinationSetProblems(['Bad Id'])[0]).toMatchObject({ field: 'destinations/Bad Id.yaml' });
    const many = Array.from({ length: destinationLimits.destinations + 1 }, (_, i) => `d${i}`);
    expect(destinationSetProblems(many)).toEqual([{ field: 'destinations', message: `at most ${destinationLimits.destinations} destinations (found 21)` }]);
  });
});
