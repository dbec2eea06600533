/**
 * Nurture embeddable form (nurture-forms.min.js):
 *
 *   <div data-nurture-form="contact"></div>
 *   <script src="https://…/nurture-forms.min.js" data-api="https://api…" async></script>
 *
 * or `NurtureForms.render(el, {api, form, lang})`. Fetches the public form (`GET {api}/v1/forms/{id}`),
 * renders the same accessible markup as landing pages (functions/forms/domain/form-html.ts: classes
 * `nurture-form__*`, themed with `--nurture-form-*` CSS variables, no styles of its own), validates in the
 * browser with the server's own rules (fields.ts), posts JSON to the submit route and shows its field
 * errors inline, then the success message or the redirect. Needs nothing of the tracker but its anonymous
 * id (`nurture_aid` cookie or localStorage). Nothing here may throw into the host page.
 */
import { validateValues } from '../../functions/forms/domain/fields.js';
import { errorId, formHtml } from '../../functions/forms/domain/form-html.js';
import type { PublicForm } from '../../functions/forms/domain/public-form.js';

interface FieldErr {
  field: string;
  message: string;
}

const w = window as any;
const d = document;
const C = 'nurture-form';
const utmKeys = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'];

function aid(): string {
  const m = d.cookie.match(/(?:^|; )nurture_aid=([^;]*)/);
  if (m) return decodeURIComponent(m[1]!);
  try {
    return localStorage.getItem('nurture_aid') || '';
  } catch {
    return '';
  }
}

function show(f: HTMLFormElement, form: PublicForm, errs: FieldErr[], alert: string): void {
  (f.querySelector(`.${C}__alert`) as HTMLElement).textContent = alert;
  f.querySelectorAll(`.${C}__error`).forEach((p) => (p.textContent = ''));
  f.querySelectorAll('[aria-invalid]').forEach((i) => i.removeAttribute('aria-invalid'));
  let first: HTMLElement | undefined;
  for (const e of errs) {
    const p = d.getElementById(errorId(form.id, e.field));
    const input = f.elements.namedItem(e.field) as HTMLElement | null;
    if (p && input) {
      p.textContent = e.message;
      input.setAttribute('aria-invalid', 'true');
      first = first || input;
    } else (f.querySelector(`.${C}__alert`) as HTMLElement).textContent = e.message;
  }
  if (first) first.focus();
}

function done(f: HTMLFormElement, answer: { message?: string; redirect?: string }, form: PublicForm): void {
  const to = answer.redirect || form.redirect;
  if (to) {
    location.href = to;
    return;
  }
  const s = f.querySelector(`.${C}__success`) as HTMLElement;
  for (const c of Array.from(f.children)) if (c !== s) (c as HTMLElement).hidden = true;
  s.textContent = answer.message || form.successMessage;
  s.tabIndex = -1;
  s.focus();
}

/** Renders form `id` into `el` and wires its submission. */
async function render(el: HTMLElement, opts: { api: string; form: string; lang?: string }): Promise<void> {
  const api = opts.api.replace(/\/+$/, '');
  const lang = opts.lang || el.getAttribute('data-lang') || d.documentElement.lang.slice(0, 2);
  const res = await fetch(`${api}/v1/forms/${encodeURIComponent(opts.form)}?lang=${encodeURIComponent(lang)}&aid=${encodeURIComponent(aid())}`);
  if (!res.ok) throw new Error(`form ${opts.form}: HTTP ${res.status}`);
  // The answer is the public form with its token (`{...form, token}`); `{form, token}` is read too.
  const body = (await res.json()) as (PublicForm & { token: string }) | { form: PublicForm; token: string };
  const form = 'form' in body ? body.form : body;
  const token = body.token;
  const params = new URLSearchParams(location.search);
  const utm: Record<string, string> = {};
  for (const k of utmKeys) if (params.get(k)) utm[k] = params.get(k)!.slice(0, 200);
  const action = `${api}/v1/forms/${encodeURIComponent(form.id)}/submit`;
  el.innerHTML = formHtml(form, { action, hidden: { token, url: location.href.slice(0, 500), ref: d.referrer.slice(0, 500), utm } });
  const f = el.querySelector('form') as HTMLFormElement;
  f.noValidate = true;
  f.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const values: Record<string, string> = {};
    new FormData(f).forEach((v, k) => (values[k] = String(v)));
    const errs = validateValues(form, values, form.locale, new Set(form.skipped));
    if (errs.length) return show(f, form, errs, '');
    values._sid = crypto.randomUUID();
    const a = aid();
    if (a) values._aid = a;
    const btn = f.querySelector('button[type=submit]') as HTMLButtonElement;
    btn.disabled = true;
    fetch(action, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(values) })
      .then((r) => r.json().then((j: any) => ({ ok: r.ok, j: j || {} })))
      .then(({ ok, j }) => {
        btn.disabled = false;
        if (ok) return done(f, j, form);
        const list: FieldErr[] = j.errors || (j.field ? [{ field: j.field, message: j.error }] : []);
        show(f, form, list, j.errors || j.field ? '' : j.error || 'Error');
      })
      .catch(() => {
        btn.disabled = false;
        show(f, form, [], form.locale === 'ja' ? '送信できませんでした。もう一度お試しください。' : 'Could not send. Please try again.');
      });
  });
}

const safeRender = (el: HTMLElement, opts: { api: string; form: string; lang?: string }) =>
  render(el, opts).catch((err) => {
    if (w.console) console.warn('[nurture-forms]', err);
  });

const script = d.currentScript as HTMLScriptElement | null;
const api = (script && script.getAttribute('data-api')) || '';
w.NurtureForms = { render: safeRender };

function scan(): void {
  if (!api) return;
  d.querySelectorAll<HTMLElement>('[data-nurture-form]').forEach((el) => {
    if (el.getAttribute('data-nurture-rendered')) return;
    el.setAttribute('data-nurture-rendered', '1');
    safeRender(el, { api, form: el.getAttribute('data-nurture-form') || '' });
  });
}
if (d.readyState === 'loading') d.addEventListener('DOMContentLoaded', scan);
else scan();
