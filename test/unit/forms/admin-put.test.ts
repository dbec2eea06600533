/**
 * Storing a definition through the admin operations, over an in-memory bucket: the form count limit, a
 * JSON body stored as YAML with the other sources of the id removed, nothing written on a failing check.
 */
import { describe, expect, it } from 'vitest';
import { deleteForm, type FormsAdminPorts, listForms, putForm } from '../../../functions/forms/admin-routes.js';
import { formLimits } from '../../../functions/forms/domain/definition.js';
import type { FormCheckReport } from '../../../functions/forms/domain/reports.js';
import { ClientError } from '../../../functions/shared/errors.js';

function memoryPorts(): FormsAdminPorts & { objects: Map<string, string> } {
  const objects = new Map<string, string>();
  const content: FormsAdminPorts['content'] = {
    text: async (key) => objects.get(key),
    json: async <T>(key: string) => (objects.has(key) ? (JSON.parse(objects.get(key)!) as T) : undefined),
    put: async (key, body) => void objects.set(key, body),
    delete: async (key) => void objects.delete(key),
    list: async (prefix) => [...objects.keys()].filter((k) => k.startsWith(prefix)).sort().map((key) => ({ key, etag: '' })),
    formReport: async (id) => (objects.has(`forms/${id}.check.json`) ? (JSON.parse(objects.get(`forms/${id}.check.json`)!) as FormCheckReport) : undefined),
  };
  return { objects, content, submissions: { page: async () => ({ items: [] }) }, stats: { days: async () => [] }, now: () => new Date('2026-12-07T00:00:00Z') };
}

const yaml = 'title: T\nfields:\n  - { name: email, type: email, required: true, trait: email }\n';

describe('storing a form definition', () => {
  it(`refuses a new form beyond ${formLimits.forms} with 400 naming id, and still replaces an existing one`, async () => {
    const ports = memoryPorts();
    for (let i = 0; i < formLimits.forms; i++) ports.objects.set(`forms/f${i}.yaml`, yaml);
    const err = await putForm(ports, 'one-more', { text: yaml, json: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClientError);
    expect((err as ClientError).details).toMatchObject({ field: 'id' });
    expect(ports.objects.has('forms/one-more.yaml')).toBe(false);
    expect((await putForm(ports, 'f0', { text: yaml, json: false })).ok).toBe(true);
  });

  it('stores a JSON body as YAML, removes the other sources of the id, and lists it', async () => {
    const ports = memoryPorts();
    ports.objects.set('forms/contact.yml', 'old: true');
    const body = JSON.stringify({ title: 'Contact', fields: [{ name: 'email', type: 'email', required: true, trait: 'email' }] });
    const report = await putForm(ports, 'contact', { text: body, json: true });
    expect(report).toMatchObject({ ok: true, source: 'contact.yaml' });
    expect([...ports.objects.keys()].sort()).toEqual(['forms/contact.check.json', 'forms/contact.yaml']);
    expect(ports.objects.get('forms/contact.yaml')).toContain('title: Contact');
    expect(await listForms(ports)).toEqual([{ id: 'contact', title: 'Contact', ok: true, errors: 0, checkedAt: '2026-12-07T00:00:00.000Z', stats: { views: 0, submissions: 0, refused: 0, conversionRate: 0 } }]);
    expect(await deleteForm(ports, 'contact')).toBe(true);
    expect(ports.objects.size).toBe(0);
  });

  it('writes the YAML of a JSON body so that it reads back as the same definition', async () => {
    const ports = memoryPorts();
    const def = {
      title: { ja: '問い合わせ', en: 'Contact' },
      fields: [
        { name: 'email', type: 'email', required: true, trait: 'email' },
        { name: 'zip', type: 'text', pattern: '\\d{3}-?\\d{4}', label: 'yes' },
        { name: 'plan', type: 'select', options: [{ value: '1' }, { value: 'null' }, { value: '2026-11' }] },
        { name: 'note', type: 'textarea', placeholder: '# not a comment: "quoted"\nsecond line' },
      ],
      consents: [{ id: 'news', purpose: 'email', version: '2026-11', text: 'メールを受け取る' }],
    };
    const report = await putForm(ports, 'contact', { text: JSON.stringify(def), json: true });
    const { id: _id, version: _v, locale: _l, submit: _s, ...stored } = report.form!;
    expect(stored).toEqual(def);
  });

  it('writes nothing when the check fails, and answers every problem', async () => {
    const ports = memoryPorts();
    const err = (await putForm(ports, 'contact', { text: 'title: T\nfields:\n  - { name: email, type: email, trait: email }\n', json: false }).catch((e: unknown) => e)) as ClientError;
    expect(err.statusCode).toBe(400);
    expect(err.details).toMatchObject({ field: 'fields[0].required', problems: [{ field: 'fields[0].required', line: 3 }] });
    expect(ports.objects.size).toBe(0);
  });
});
