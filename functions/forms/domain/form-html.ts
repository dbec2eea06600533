/**
 * A public form as server-rendered HTML: what landing pages show (it works without JavaScript: a plain
 * form post to the submit route) and what the embeddable script (tracker/src/forms.ts) puts in its
 * element. Accessible: every input has a label tied by `for`, help and error texts tied by
 * aria-describedby, consents in a fieldset with the exact wording, the honeypot off-screen and out of the
 * tab order. Pure string building with no imports beyond fields.ts, so the browser bundle stays small.
 */
import { consentInput } from './fields.js';
import type { PublicField, PublicForm } from './public-form.js';

/** Values of the hidden inputs a rendering carries (reserved names of public-form.ts). */
export interface FormHidden {
  /** The render token (tokens.ts); the embed has none until it fetched the form. */
  token?: string;
  page?: string;
  url?: string;
  ref?: string;
  /** utm_* captured from the page address. */
  utm?: Record<string, string>;
}

/** Reserved input names (public-form.ts `reservedInputs`; a unit test keeps them equal). */
export const hiddenNames = { token: '_token', page: '_page', lang: '_lang', url: '_url', ref: '_ref' } as const;

/** Every class the markup uses starts with this; themes set the `--nurture-form-*` CSS variables. */
export const formClass = 'nurture-form';

/** HTML text and attribute escape. */
export function esc(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const idSafe = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '-');

/** The id of a field's input, its help and its error element (the embed's inline errors use them too). */
export const inputId = (formId: string, name: string) => `nf-${idSafe(formId)}-${idSafe(name)}`;
export const errorId = (formId: string, name: string) => `${inputId(formId, name)}-error`;

const reqMark = (required?: boolean) => (required ? ` <span class="${formClass}__required" aria-hidden="true">*</span>` : '');
const hidden = (name: string, value: string) => `<input type="hidden" name="${esc(name)}" value="${esc(value)}">`;

function control(formId: string, f: PublicField, describedBy: string): string {
  const id = inputId(formId, f.name);
  const common =
    `id="${id}" name="${esc(f.name)}"` +
    (f.required ? ' required aria-required="true"' : '') +
    (f.autocomplete ? ` autocomplete="${esc(f.autocomplete)}"` : '') +
    ` aria-describedby="${describedBy}"`;
  const max = f.maxLength ? ` maxlength="${f.maxLength}"` : '';
  const ph = f.placeholder ? ` placeholder="${esc(f.placeholder)}"` : '';
  switch (f.type) {
    case 'textarea':
      return `<textarea ${common}${max}${ph} rows="5"></textarea>`;
    case 'select':
      return (
        `<select ${common}><option value="">-</option>` +
        (f.options ?? []).map((o) => `<option value="${esc(o.value)}">${esc(o.label)}</option>`).join('') +
        '</select>'
      );
    case 'checkbox':
      return `<input type="checkbox" value="on" ${common}>`;
    default: {
      const type = f.type === 'email' ? 'email' : f.type === 'phone' ? 'tel' : 'text';
      return `<input type="${type}" ${common}${max}${ph}>`;
    }
  }
}

function fieldHtml(formId: string, f: PublicField): string {
  if (f.type === 'hidden') return hidden(f.name, f.value ?? '');
  const id = inputId(formId, f.name);
  const help = f.help ? `<p class="${formClass}__help" id="${id}-help">${esc(f.help)}</p>` : '';
  const describedBy = `${f.help ? `${id}-help ` : ''}${errorId(formId, f.name)}`;
  const label = `<label for="${id}">${esc(f.label)}${reqMark(f.required)}</label>`;
  const error = `<p class="${formClass}__error" id="${errorId(formId, f.name)}"></p>`;
  const ctl = control(formId, f, describedBy);
  const inner = f.type === 'checkbox' ? `${ctl} ${label}` : `${label}${ctl}`;
  return `<div class="${formClass}__field ${formClass}__field--${f.type}">${inner}${help}${error}</div>`;
}

const consentLegend = { ja: '同意事項', en: 'Consent' } as const;
const honeypotLabel = { ja: 'この欄は空のままにしてください', en: 'Leave this field empty' } as const;

/**
 * The form as HTML. `action` is the submit route (`<api>/v1/forms/<id>/submit`); posted without
 * JavaScript it is a urlencoded form post, which the submit route accepts.
 */
export function formHtml(form: PublicForm, opts: { action: string; hidden?: FormHidden }): string {
  const h = opts.hidden ?? {};
  const id = form.id;
  const out: string[] = [];
  out.push(
    `<form class="${formClass}" id="nf-${idSafe(id)}" action="${esc(opts.action)}" method="post" accept-charset="utf-8" lang="${form.locale}" data-nurture-form-id="${esc(id)}">`,
  );
  if (form.title) out.push(`<h2 class="${formClass}__title">${esc(form.title)}</h2>`);
  if (form.description) out.push(`<p class="${formClass}__description">${esc(form.description)}</p>`);
  if (h.token) out.push(hidden(hiddenNames.token, h.token));
  out.push(hidden(hiddenNames.lang, form.locale));
  if (h.page) out.push(hidden(hiddenNames.page, h.page));
  if (h.url) out.push(hidden(hiddenNames.url, h.url));
  if (h.ref) out.push(hidden(hiddenNames.ref, h.ref));
  for (const [k, v] of Object.entries(h.utm ?? {})) out.push(hidden(k, v));
  // The honeypot: invisible and unreachable for people (screen readers skip aria-hidden), filled by bots.
  const hp = inputId(id, form.honeypot);
  out.push(
    `<div class="${formClass}__hp" aria-hidden="true" style="position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden">` +
      `<label for="${hp}">${honeypotLabel[form.locale]}</label><input type="text" id="${hp}" name="${esc(form.honeypot)}" value="" tabindex="-1" autocomplete="off"></div>`,
  );
  out.push(`<p class="${formClass}__alert" role="alert" id="nf-${idSafe(id)}-alert"></p>`);
  for (const f of form.fields) out.push(fieldHtml(id, f));
  if (form.consents.length > 0) {
    out.push(`<fieldset class="${formClass}__consents"><legend>${consentLegend[form.locale]}</legend>`);
    for (const c of form.consents) {
      const name = consentInput(c.id);
      const cid = inputId(id, name);
      out.push(
        `<div class="${formClass}__field ${formClass}__field--consent">` +
          `<input type="checkbox" id="${cid}" name="${esc(name)}" value="on"${c.required ? ' required aria-required="true"' : ''} aria-describedby="${errorId(id, name)}" data-version="${esc(c.version)}"> ` +
          `<label for="${cid}">${esc(c.text)}${reqMark(c.required)}</label>` +
          `<p class="${formClass}__error" id="${errorId(id, name)}"></p></div>`,
      );
    }
    out.push('</fieldset>');
  }
  out.push(`<button type="submit" class="${formClass}__submit">${esc(form.submitLabel)}</button>`);
  out.push(`<p class="${formClass}__success" role="status" id="nf-${idSafe(id)}-status"></p>`);
  out.push('</form>');
  return out.join('\n');
}
