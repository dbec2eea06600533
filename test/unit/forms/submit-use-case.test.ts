import { describe, expect, it } from 'vitest';
import type { FormDefinition } from '../../../functions/forms/domain/definition.js';
import type { ConsentRecord, Submission } from '../../../functions/forms/domain/model.js';
import { type FormsPorts, renderForm, submit, type SubmitOutcome } from '../../../functions/forms/domain/submit.js';
import { checkRenderToken, issueRenderToken } from '../../../functions/forms/domain/tokens.js';
import { anonymousProfileId } from '../../../functions/identity/domain/keys.js';
import type { CollectedEvent } from '../../../functions/ingest/domain/enrich.js';

const secret = 'k'.repeat(40);
const t0 = new Date('2026-11-02T10:00:00.000Z');

const brochure: FormDefinition = {
  id: 'brochure',
  version: 'v1',
  title: { ja: '資料請求', en: 'Brochure' },
  locale: 'ja',
  fields: [
    { name: 'email', type: 'email', label: { ja: 'メールアドレス', en: 'Email' }, required: true, trait: 'email' },
    { name: 'company', type: 'text', label: '会社名', trait: 'company', progressive: true, required: true },
    { name: 'source', type: 'hidden', value: 'lp' },
  ],
  consents: [
    { id: 'news', purpose: 'email', version: '2026-11', text: { ja: 'ニュースを受け取る', en: 'Send me news' } },
    { id: 'terms', purpose: 'terms', version: 't1', text: { ja: '規約に同意', en: 'I agree to the terms' }, required: true },
  ],
  submit: { event: 'Brochure Requested' },
};

/** In-memory ports: what the adapters would write, kept in arrays. */
function memoryPorts(forms: FormDefinition[] = [brochure], traits: Record<string, Record<string, unknown>> = {}) {
  const guards = new Map<string, { submittedAt: string; profileId: string }>();
  const w = {
    submissions: [] as Submission[],
    refused: [] as string[],
    events: [] as CollectedEvent[],
    identifies: 0,
    decided: [] as [string, string, { status: string; source: string; at: string }][],
    ledger: [] as ConsentRecord[],
    metrics: [] as string[],
    rateTaken: 0,
  };
  let clock = new Date(t0.getTime() + 10_000);
  const ports: FormsPorts = {
    secret,
    apiBase: 'https://api.example.com',
    forms: { form: async (id) => forms.find((f) => f.id === id) },
    store: {
      accepted: async (f, s) => guards.get(`${f}#${s}`),
      async accept(sub) {
        const key = `${sub.formId}#${sub.submissionId}`;
        if (guards.has(key)) return false;
        guards.set(key, { submittedAt: sub.submittedAt, profileId: sub.profileId });
        w.submissions.push(sub);
        return true;
      },
      countRefused: async (f, d) => void w.refused.push(`${f}:${d}`),
    },
    rateLimiter: { take: async () => ++w.rateTaken <= 20 },
    async identify(call) {
      w.identifies++;
      return { profileId: call.anonymousId ? anonymousProfileId(call.anonymousId) : 'p_known', mergeFrom: [] };
    },
    linkedProfile: async () => undefined,
    traitsOf: async (id) => traits[id],
    putEvents: async (events) => void w.events.push(...events),
    consents: {
      decide: async (p, purpose, c) => (w.decided.push([p, purpose, c]), true),
      append: async (r) => void w.ledger.push(r),
    },
    count: (m) => void w.metrics.push(m),
    now: () => clock,
  };
  return { ports, w, setNow: (d: Date) => (clock = d) };
}

const tokenOf = (claims: { a?: string; s?: string[]; p?: string } = {}, at = t0) => issueRenderToken(secret, { f: 'brochure', ...claims }, at);
const send = (ports: FormsPorts, inputs: Record<string, string>, extra: { acceptLanguage?: string; formPost?: boolean } = {}) =>
  submit({ formId: 'brochure', body: { inputs, formPost: extra.formPost ?? false }, sourceIp: '198.51.100.7', ...(extra.acceptLanguage ? { acceptLanguage: extra.acceptLanguage } : {}) }, ports);
const valid = { email: 'Hana@Firm.JP', company: 'Firm KK', '_consent.news': 'on', '_consent.terms': 'on' };

const errorsOf = (o: SubmitOutcome) => (o.kind === 'invalid' ? o.errors : []);

describe('rendering a form', () => {
  it('answers the form in the asked language with a render token for the visitor and page', async () => {
    const { ports } = memoryPorts();
    const view = await renderForm({ formId: 'brochure', acceptLanguage: 'en-US,en;q=0.9', anonymousId: 'aid-1', page: 'spring' }, ports);
    expect(view).toMatchObject({ id: 'brochure', locale: 'en', title: 'Brochure', skipped: [] });
    const check = checkRenderToken(secret, view.token, 'brochure', t0);
    expect(check).toMatchObject({ ok: true, claims: { f: 'brochure', a: 'aid-1', p: 'spring' } });
  });

  it('leaves out progressive fields the profile already answers, and says so in the token', async () => {
    const { ports } = memoryPorts([brochure], { [anonymousProfileId('aid-2')]: { company: 'Firm KK' } });
    const view = await renderForm({ formId: 'brochure', anonymousId: 'aid-2' }, ports);
    expect(view.fields.map((f) => f.name)).toEqual(['email', 'source']);
    expect(view.skipped).toEqual(['company']);
    expect(checkRenderToken(secret, view.token, 'brochure', t0)).toMatchObject({ claims: { s: ['company'] } });
  });

  it('is a 404 naming id for an unknown or malformed form id', async () => {
    const { ports } = memoryPorts();
    await expect(renderForm({ formId: 'nope' }, ports)).rejects.toMatchObject({ statusCode: 404, details: { field: 'id' } });
    await expect(renderForm({ formId: '../x' }, ports)).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe('submitting a form', () => {
  it('refuses spam without identifying, emitting or storing anything: only the refused counter and a metric', async () => {
    const { ports, w, setNow } = memoryPorts();
    expect(await send(ports, { ...valid, _token: tokenOf(), _hp: 'x' })).toMatchObject({ kind: 'refused', reason: 'honeypot', field: '_hp' });
    expect(await send(ports, { ...valid })).toMatchObject({ kind: 'refused', reason: 'token', field: '_token' });
    setNow(new Date(t0.getTime() + 300));
    expect(await send(ports, { ...valid, _token: tokenOf() })).toMatchObject({ kind: 'refused', reason: 'too-fast' });
    expect(w).toMatchObject({ identifies: 0, events: [], submissions: [], ledger: [], decided: [] });
    expect(w.refused).toEqual(['brochure:2026-11-02', 'brochure:2026-11-02', 'brochure:2026-11-02']);
    expect(w.metrics).toEqual(['honeypot', 'token', 'too-fast']);
  });

  it('refuses the 21st submission of a network within the window as rate-limit', async () => {
    const { ports, w } = memoryPorts();
    for (let i = 0; i < 20; i++) expect((await send(ports, { _token: tokenOf() })).kind).toBe('invalid');
    expect(await send(ports, { ...valid, _token: tokenOf() })).toMatchObject({ kind: 'refused', reason: 'rate-limit' });
    expect(w.submissions).toHaveLength(0);
  });

  it('names each invalid field with a message in the visitor\'s language (Japanese by default, English asked)', async () => {
    const { ports } = memoryPorts();
    const ja = await send(ports, { email: 'not-an-email', _token: tokenOf() });
    expect(errorsOf(ja)).toEqual([
      { field: 'email', code: 'email', message: 'メールアドレスの形式が正しくありません' },
      { field: 'company', code: 'required', message: '入力してください' },
      { field: '_consent.terms', code: 'consent', message: '同意が必要です' },
    ]);
    const en = await send(ports, { email: '', company: 'x', '_consent.terms': 'on', _token: tokenOf(), _lang: 'en' });
    expect(errorsOf(en)).toEqual([{ field: 'email', code: 'required', message: 'This field is required' }]);
    const accept = await send(ports, { email: '', company: 'x', '_consent.terms': 'on', _token: tokenOf() }, { acceptLanguage: 'en;q=0.8' });
    expect(errorsOf(accept)[0]!.message).toBe('This field is required');
  });

  it('does not ask for fields the token says were left out (progressive profiling)', async () => {
    const { ports, w } = memoryPorts();
    const out = await send(ports, { email: 'a@b.jp', '_consent.terms': 'on', _token: tokenOf({ s: ['company'] }) });
    expect(out.kind).toBe('accepted');
    expect(w.submissions[0]!.values).toEqual({ email: 'a@b.jp', source: 'lp' });
  });

  it('identifies the visitor, emits identify + Form Submitted + the form event, records consent with its text version', async () => {
    const { ports, w } = memoryPorts();
    const out = await send(ports, { ...valid, _token: tokenOf({ a: 'aid-9', p: 'spring' }), _sid: 'sub-0001', utm_source: 'mail', _url: 'https://lp.example.com/?gclid=1' });
    const profileId = anonymousProfileId('aid-9');
    expect(out).toMatchObject({ kind: 'accepted', submissionId: 'sub-0001', profileId, replay: false });
    expect(w.events.map((e) => [e.type, e.event ?? '', e.messageId, e.nurture.profileId])).toEqual([
      ['identify', '', 'form-brochure-sub-0001-identify', profileId],
      ['track', 'Form Submitted', 'form-brochure-sub-0001-submitted', profileId],
      ['track', 'Brochure Requested', 'form-brochure-sub-0001-event', profileId],
    ]);
    expect(w.events[0]!.traits).toEqual({ email: 'hana@firm.jp', company: 'Firm KK' });
    expect(w.events[1]!.properties).toEqual({
      formId: 'brochure',
      submissionId: 'sub-0001',
      fields: { email: 'Hana@Firm.JP', company: 'Firm KK', source: 'lp' },
      consents: ['news', 'terms'],
      page: 'spring',
      locale: 'ja',
    });
    expect(w.events[1]!.context).toMatchObject({ campaign: { source: 'mail' }, page: { url: 'https://lp.example.com/?gclid=1' } });
    expect(w.events[1]!.nurture).toMatchObject({ ipPrefix: '198.51.100.0/24', clickId: { type: 'gclid', value: '1' } });
    expect(w.events[0]!.anonymousId).toBe('aid-9');

    const at = w.submissions[0]!.submittedAt;
    expect(w.decided).toEqual([[profileId, 'email', { status: 'granted', source: 'form:brochure:2026-11', at }]]);
    expect(w.ledger.map((r) => [r.consentId, r.status, r.textVersion, r.text, r.method, r.networkPrefix, r.email])).toEqual([
      ['news', 'granted', '2026-11', 'ニュースを受け取る', 'checkbox', '198.51.100.0/24', 'hana@firm.jp'],
      ['terms', 'granted', 't1', '規約に同意', 'checkbox', '198.51.100.0/24', 'hana@firm.jp'],
    ]);
    expect(w.submissions[0]).toMatchObject({ email: 'hana@firm.jp', page: 'spring', consents: [{ consentId: 'news', purpose: 'email', textVersion: '2026-11' }, { consentId: 'terms', purpose: 'terms', textVersion: 't1' }] });
    expect(w.metrics).toEqual(['submitted']);
  });

  it('answers a repeat of the same submission as the first time, doing nothing again', async () => {
    const { ports, w } = memoryPorts();
    const token = tokenOf({ a: 'aid-3' });
    const first = await send(ports, { ...valid, _token: token });
    const again = await send(ports, { ...valid, _token: token });
    expect(first).toMatchObject({ kind: 'accepted', replay: false });
    expect(again).toMatchObject({ kind: 'accepted', replay: true, submissionId: (first as { submissionId: string }).submissionId });
    expect(w.submissions).toHaveLength(1);
    expect(w.identifies).toBe(1);
    expect(w.events).toHaveLength(3);
    expect(w.ledger).toHaveLength(2);
  });

  it('re-emits the same messageIds when retried after a crash between the events and the transaction', async () => {
    const { ports, w } = memoryPorts();
    const accept = ports.store.accept;
    ports.store.accept = async () => {
      throw new Error('crashed');
    };
    const body = { ...valid, _token: tokenOf({ a: 'aid-4' }), _sid: 'sub-crash-1' };
    await expect(send(ports, body)).rejects.toThrow('crashed');
    ports.store.accept = accept;
    expect(await send(ports, body)).toMatchObject({ kind: 'accepted', replay: false });
    const ids = w.events.map((e) => e.messageId);
    expect(ids.slice(0, 3)).toEqual(ids.slice(3));
    expect(w.submissions).toHaveLength(1);
  });

  it('keeps marketing consent pending under double opt-in: a ledger record only, the submission marked pending', async () => {
    const { ports, w } = memoryPorts([{ ...brochure, submit: { doubleOptIn: true } }]);
    await send(ports, { ...valid, _token: tokenOf() });
    expect(w.decided).toEqual([]);
    expect(w.ledger.map((r) => [r.consentId, r.status])).toEqual([
      ['news', 'pending'],
      ['terms', 'granted'],
    ]);
    expect(w.submissions[0]!.doubleOptIn).toBe('pending');
    expect(w.events[1]!.properties).toMatchObject({ followUp: true });
  });

  it('refuses a malformed client submission id naming _sid', async () => {
    const { ports } = memoryPorts();
    await expect(send(ports, { ...valid, _token: tokenOf(), _sid: 'bad id!' })).rejects.toMatchObject({ statusCode: 400, details: { field: '_sid' } });
  });
});
