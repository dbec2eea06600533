import { describe, expect, it } from 'vitest';
import type { FormDefinition } from '../../../functions/forms/domain/definition.js';
import { contextFields, followUp, followUpPattern, type FollowUpPorts, followUpTarget, planFollowUp, type StoredSubmission } from '../../../functions/forms/domain/follow-up.js';
import { checkConfirmToken } from '../../../functions/forms/domain/tokens.js';
import { matches } from '../../../local/emulators/event-pattern.js';

const secret = 'test-link-secret-0123456789abcdef0123456789';
const settings = { publicApiUrl: 'https://api.test', linkSecret: secret };

const def = (submit: FormDefinition['submit']): FormDefinition => ({
  id: 'brochure',
  title: { ja: '資料請求', en: 'Brochure' },
  locale: 'ja',
  fields: [{ name: 'email', type: 'email', required: true, trait: 'email' }],
  consents: [{ id: 'newsletter', purpose: 'email', version: '2026-11', text: { ja: 'お知らせを受け取る', en: 'Send me news' } }],
  submit,
  version: 'h1',
});

const sub = (extra: Partial<StoredSubmission> = {}): StoredSubmission => ({
  formId: 'brochure',
  submissionId: 'sub-0001-abcd',
  submittedAt: '2026-12-01T10:00:00.000Z',
  profileId: 'p_1',
  email: 'ada@example.com',
  locale: 'en',
  values: { email: 'ada@example.com' },
  consents: [{ consentId: 'newsletter', purpose: 'email', textVersion: '2026-11' }],
  doubleOptIn: 'pending',
  ref: { pk: 'fsub#brochure', sk: '2026-12-01T10:00:00.000Z#sub-0001-abcd' },
  ...extra,
});

describe('form follow-up decisions', () => {
  it('plans the confirmation, the double opt-in mail and the hand-off, with stable keys', () => {
    const actions = planFollowUp(def({ confirmationTemplate: 'brochure-delivery', doubleOptIn: true, notify: 'Brochure requested' }), sub(), 'p_live', settings);
    expect(actions.map((a) => (a.kind === 'send' ? `${a.purpose} ${a.input.templateId} ${a.input.idempotencyKey}` : `handoff ${a.detail.messageId}`))).toEqual([
      'confirmation brochure-delivery form:brochure:sub-0001-abcd:confirmation',
      'double-opt-in form-double-opt-in form:brochure:sub-0001-abcd:double-opt-in',
      'handoff form:brochure:sub-0001-abcd',
    ]);
    for (const a of actions) if (a.kind === 'send') expect(a.input).toMatchObject({ profileId: 'p_live', category: 'transactional' });
  });

  it('puts a confirm link whose token names the submission and expires 7 days after it', () => {
    const [doi] = planFollowUp(def({ doubleOptIn: true }), sub(), 'p_1', settings);
    const url = new URL(String((doi as unknown as { input: { context: { confirmUrl: string } } }).input.context.confirmUrl));
    expect(url.origin + url.pathname).toBe('https://api.test/v1/forms/confirm');
    const t = url.searchParams.get('t')!;
    expect(checkConfirmToken(secret, t, new Date('2026-12-08T09:59:00Z'))).toMatchObject({ ok: true, claims: { f: 'brochure', d: 'sub-0001-abcd' } });
    expect(checkConfirmToken(secret, t, new Date('2026-12-08T10:01:00Z'))).toEqual({ ok: false, reason: 'expired' });
    // A replay renders the same link.
    const [again] = planFollowUp(def({ doubleOptIn: true }), sub(), 'p_1', settings);
    expect(again).toEqual(doi);
  });

  it('sends no double opt-in mail without a pending email consent, and none once confirmed', () => {
    expect(planFollowUp(def({ doubleOptIn: true }), sub({ consents: [{ consentId: 'terms', purpose: 'terms', textVersion: '1' }] }), 'p_1', settings)).toEqual([]);
    expect(planFollowUp(def({ doubleOptIn: true }), sub({ doubleOptIn: 'confirmed' }), 'p_1', settings)).toEqual([]);
    expect(planFollowUp(def({}), sub(), 'p_1', settings)).toEqual([]);
  });

  it('hands off once: not when the submission is marked handed off', () => {
    expect(planFollowUp(def({ notify: 'Call them' }), sub({ handedOffAt: '2026-12-01T10:00:05Z' }), 'p_1', settings)).toEqual([]);
  });

  it('cuts long field values and leaves the fields out past the context budget', () => {
    expect(contextFields({ note: 'x'.repeat(600) }).note).toHaveLength(501);
    expect(contextFields(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, 'y'.repeat(400)])))).toEqual({});
  });

  it('runs only on Form Submitted events that ask for a follow-up (the rule on AWS and on the local bus)', () => {
    const event = (detailType: string, followUp: unknown) => ({ source: 'nurture.activity', 'detail-type': detailType, detail: { properties: { followUp } } });
    expect(matches(followUpPattern, event('Form Submitted', true))).toBe(true);
    expect(matches(followUpPattern, event('Form Submitted', false))).toBe(false);
    expect(matches(followUpPattern, event('Form Submitted', undefined))).toBe(false);
    expect(matches(followUpPattern, event('Brochure Requested', true))).toBe(false);
  });

  it('refuses an event without the form and submission ids, naming the field', () => {
    expect(() => followUpTarget({ profileId: 'p_1', properties: { formId: 'brochure' } })).toThrow(/detail\.properties\.submissionId/);
  });
});

describe('form follow-up run', () => {
  function ports(stored: StoredSubmission | undefined) {
    const sent: string[] = [];
    const published: string[] = [];
    const state = { stored };
    const p: FollowUpPorts = {
      forms: { form: async () => def({ confirmationTemplate: 'brochure-delivery', notify: 'Call them' }) },
      submissions: {
        get: async () => state.stored,
        markHandedOff: async (_ref, at) => {
          if (state.stored && !state.stored.handedOffAt) state.stored = { ...state.stored, handedOffAt: at };
        },
      },
      send: async (input) => {
        sent.push(input.idempotencyKey);
        return { status: 'sent' };
      },
      publishHandoff: async (d) => {
        published.push(d.messageId);
      },
      settings,
      now: () => new Date('2026-12-01T10:00:03Z'),
      log: () => undefined,
    };
    return { p, sent, published };
  }
  const event = { profileId: 'p_1', properties: { formId: 'brochure', submissionId: 'sub-0001-abcd', followUp: true } };

  it('publishes the hand-off once when the same event is replayed (sends rely on their keys)', async () => {
    const { p, sent, published } = ports(sub());
    await followUp(event, p);
    await followUp(event, p);
    expect(published).toEqual(['form:brochure:sub-0001-abcd']);
    expect(new Set(sent)).toEqual(new Set(['form:brochure:sub-0001-abcd:confirmation']));
  });

  it('throws when the submission is not readable yet, so the delivery is retried', async () => {
    await expect(followUp(event, ports(undefined).p)).rejects.toMatchObject({ name: 'SubmissionNotFoundError' });
  });
});
