import { describe, expect, it } from 'vitest';
import { type DestinationDefinition, destinationSchema } from '../../../functions/destinations/domain/definition.js';
import { type DeliveryEvent, renderDelivery, webhookEnvelope } from '../../../functions/destinations/domain/presets.js';
import { escapeSlack } from '../../../functions/destinations/domain/presets/slack.js';
import { signRequest, verifySignature } from '../../../functions/crm/domain/signature.js';
import { checkSchema } from '../../../functions/shared/validation.js';

const ctx = { leadUrl: (id: string) => `https://console.example.com/leads/${id}`, now: new Date('2026-12-08T00:00:00Z') };
const define = (value: Record<string, unknown>): DestinationDefinition => {
  const { data, problems } = checkSchema(destinationSchema, value);
  if (!data) throw new Error(JSON.stringify(problems));
  return { ...data, id: 'test' };
};
const events = ['lead.stage_changed', 'lead.handoff'];

const mql: DeliveryEvent = {
  source: 'nurture.leads',
  detailType: 'lead.stage_changed',
  detail: { profileId: 'p_abc', messageId: 'm1', occurredAt: '2026-12-07T23:59:00Z', from: 'known', to: 'mql', score: 62 },
  lead: { email: 'ken@example.co.jp', firstName: 'Ken', lastName: 'Yamada', company: 'Example KK' },
};
const handoff: DeliveryEvent = {
  source: 'nurture.forms',
  detailType: 'lead.handoff',
  detail: { profileId: 'p_abc', messageId: 'form:demo:s1', occurredAt: '2026-12-07T23:58:00Z', formId: 'demo', submissionId: 's1', reason: 'Demo requested', email: 'ken@example.co.jp' },
};

describe('Salesforce preset', () => {
  const sf = define({ preset: 'salesforce', endpoint: 'https://acme.my.salesforce.com', auth: { type: 'oauth-client-credentials', secretName: 'sf' }, events, mapping: { scoreField: 'Nurture_Score__c' } });

  it('upserts the Lead by external id for an MQL', () => {
    expect(renderDelivery(sf, mql, ctx)).toEqual({
      method: 'PATCH',
      path: '/services/data/v60.0/sobjects/Lead/Nurture_Id__c/p_abc',
      headers: { 'content-type': 'application/json' },
      body: {
        LastName: 'Yamada',
        FirstName: 'Ken',
        Company: 'Example KK',
        Email: 'ken@example.co.jp',
        LeadSource: 'Nurture',
        Description: 'Stage changed from known to mql (score 62), stage mql. https://console.example.com/leads/p_abc',
        Nurture_Score__c: 62,
      },
    });
  });

  it('falls back to the email local part and "[not provided]" for a hand-off without a snapshot', () => {
    const d = renderDelivery(sf, handoff, ctx)!;
    expect(d.body).toMatchObject({ LastName: 'ken', Company: '[not provided]', Email: 'ken@example.co.jp', Description: 'Demo requested. https://console.example.com/leads/p_abc' });
    expect(d.body).not.toHaveProperty('Nurture_Id__c'); // Salesforce refuses the external id field in the body
  });

  it('says Unknown when there is neither name nor email', () => {
    const anon = { ...handoff, detail: { ...handoff.detail, email: undefined } };
    expect((renderDelivery(sf, anon, ctx)!.body as Record<string, unknown>).LastName).toBe('Unknown');
  });
});

describe('HubSpot preset', () => {
  const hs = define({ preset: 'hubspot', endpoint: 'https://api.hubapi.com', auth: { type: 'api-key', secretName: 'hs' }, events, mapping: { scoreProperty: 'nurture_score', reasonProperty: 'nurture_reason' } });

  it('upserts the contact by email with the MQL lifecycle stage', () => {
    expect(renderDelivery(hs, mql, ctx)).toEqual({
      method: 'POST',
      path: '/crm/v3/objects/contacts/batch/upsert',
      headers: { 'content-type': 'application/json' },
      body: {
        inputs: [
          {
            id: 'ken@example.co.jp',
            idProperty: 'email',
            properties: { email: 'ken@example.co.jp', firstname: 'Ken', lastname: 'Yamada', company: 'Example KK', lifecyclestage: 'marketingqualifiedlead', nurture_score: '62', nurture_reason: 'Stage changed from known to mql' },
          },
        ],
      },
    });
  });

  it('maps every stage HubSpot has and sends none for the rest', () => {
    const stageOf = (to: string) => (renderDelivery(hs, { ...mql, detail: { ...mql.detail, to } }, ctx)!.body as { inputs: { properties: Record<string, string> }[] }).inputs[0]!.properties.lifecyclestage;
    expect(['known', 'mql', 'sql', 'customer', 'dormant'].map(stageOf)).toEqual(['lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'customer', undefined]);
  });

  it('renders a hand-off with its reason, and nothing for a lead without an email', () => {
    expect(renderDelivery(hs, handoff, ctx)!.body).toMatchObject({ inputs: [{ id: 'ken@example.co.jp', properties: { nurture_reason: 'Demo requested' } }] });
    expect(renderDelivery(hs, { ...handoff, detail: { ...handoff.detail, email: undefined } }, ctx)).toBeUndefined();
  });
});

describe('kintone preset', () => {
  const kt = define({
    preset: 'kintone',
    endpoint: 'https://example.cybozu.com',
    auth: { type: 'api-key', secretName: 'kt' },
    events,
    mapping: { app: 12, fields: { email: 'メール', name: '氏名', stage: 'ステージ', score: 'スコア', reason: '理由', leadUrl: 'リンク' } },
  });

  it('adds a record with the mapped field codes', () => {
    expect(renderDelivery(kt, mql, ctx)).toEqual({
      method: 'POST',
      path: '/k/v1/record.json',
      headers: { 'content-type': 'application/json' },
      body: {
        app: 12,
        record: {
          メール: { value: 'ken@example.co.jp' },
          氏名: { value: 'Yamada Ken' },
          ステージ: { value: 'mql' },
          スコア: { value: '62' },
          理由: { value: 'Stage changed from known to mql' },
          リンク: { value: 'https://console.example.com/leads/p_abc' },
        },
      },
    });
  });

  it('leaves out values the hand-off does not have', () => {
    expect(renderDelivery(kt, handoff, ctx)!.body).toEqual({
      app: 12,
      record: { メール: { value: 'ken@example.co.jp' }, 理由: { value: 'Demo requested' }, リンク: { value: 'https://console.example.com/leads/p_abc' } },
    });
  });
});

describe('Slack preset', () => {
  const sl = define({ preset: 'slack', endpoint: 'https://hooks.slack.com/services/T/B/X', auth: { type: 'none' }, events });

  it('posts text and blocks with email, stage, score, reason and a link to the lead', () => {
    const d = renderDelivery(sl, mql, ctx)!;
    expect(d).toMatchObject({ method: 'POST', path: '' });
    const body = d.body as { text: string; blocks: { text?: { text: string }; fields?: { text: string }[] }[] };
    expect(body.text).toBe('Nurture: ken@example.co.jp. Stage changed from known to mql');
    expect(body.blocks[1]!.fields!.map((f) => f.text)).toEqual(['*Email*\nken@example.co.jp', '*Stage*\nmql', '*Score*\n62', '*Company*\nExample KK']);
    expect(body.blocks[2]!.text!.text).toBe('<https://console.example.com/leads/p_abc|Open the lead in Nurture>');
  });

  it('escapes &, < and > in text from the lead', () => {
    expect(escapeSlack('<!channel> A&B > C')).toBe('&lt;!channel&gt; A&amp;B &gt; C');
    const evil = { ...handoff, detail: { ...handoff.detail, reason: '<!channel> call <https://evil.example|now>' } };
    const json = JSON.stringify(renderDelivery(sl, evil, ctx)!.body);
    expect(json).not.toContain('<!channel>');
    expect(json).toContain('&lt;!channel&gt; call &lt;https://evil.example|now&gt;');
  });
});

describe('generic webhook preset', () => {
  const wh = define({ preset: 'webhook', endpoint: 'https://crm.example.com/hooks', auth: { type: 'none' }, events, mapping: { signingSecretName: 'sig' } });

  it('posts the event envelope as the exact bytes that are signed', () => {
    const d = renderDelivery(wh, mql, ctx)!;
    expect(d.method).toBe('POST');
    expect(JSON.parse(d.body as string)).toEqual({ id: 'm1', type: 'lead.stage_changed', occurredAt: '2026-12-07T23:59:00Z', data: mql.detail });
    expect(webhookEnvelope(handoff)).toMatchObject({ id: 'form:demo:s1', type: 'lead.handoff' });
    const header = signRequest('k', d.body as string, ctx.now);
    expect(verifySignature(['k'], header, d.body as string, ctx.now)).toMatchObject({ ok: true });
  });
});

describe('what a destination takes', () => {
  const base = { endpoint: 'https://hooks.slack.com/services/T/B/X', auth: { type: 'none' }, preset: 'slack' };

  it('applies the to filter of stage changes', () => {
    const sl = define({ ...base, events: [{ type: 'lead.stage_changed', filter: { to: ['sql'] } }] });
    expect(renderDelivery(sl, mql, ctx)).toBeUndefined();
    expect(renderDelivery(sl, { ...mql, detail: { ...mql.detail, from: 'mql', to: 'sql' } }, ctx)).toBeDefined();
  });

  it('applies the segments filter', () => {
    const sl = define({ ...base, events: [{ type: 'segment.entered', filter: { segments: ['hot'] } }] });
    const entered = (segmentId: string): DeliveryEvent => ({ source: 'nurture.leads', detailType: 'segment.entered', detail: { profileId: 'p', messageId: 'c', occurredAt: 'x', segmentId } });
    expect(renderDelivery(sl, entered('cold'), ctx)).toBeUndefined();
    expect(renderDelivery(sl, entered('hot'), ctx)).toBeDefined();
  });

  it('takes nothing when disabled, for an event type it does not list, or without a profile', () => {
    expect(renderDelivery(define({ ...base, events, enabled: false }), mql, ctx)).toBeUndefined();
    expect(renderDelivery(define({ ...base, events: ['lead.handoff'] }), mql, ctx)).toBeUndefined();
    expect(renderDelivery(define({ ...base, events }), { ...handoff, detail: { reason: 'x' } }, ctx)).toBeUndefined();
  });

  it('renders the same bytes for the same event', () => {
    for (const preset of [
      define({ ...base, events }),
      define({ preset: 'salesforce', endpoint: 'https://a.my.salesforce.com', auth: { type: 'oauth-client-credentials', secretName: 's' }, events }),
      define({ preset: 'webhook', endpoint: 'https://a.example', auth: { type: 'none' }, events, mapping: { signingSecretName: 's' } }),
    ]) {
      const a = renderDelivery(preset, mql, ctx);
      const b = renderDelivery(preset, structuredClone(mql), { ...ctx, now: new Date('2027-01-01T00:00:00Z') });
      expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    }
  });
});
