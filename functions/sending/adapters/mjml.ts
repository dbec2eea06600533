import mjml2html from 'mjml';
import type { CompileMjml } from '../domain/check.js';

/** MJML → responsive HTML, strict validation, no includes (a template cannot read files). */
export const compileMjml: CompileMjml = async (source) => {
  try {
    const res = await mjml2html(source, { validationLevel: 'soft', ignoreIncludes: true, keepComments: false });
    return { html: res.html, errors: res.errors.map((e) => ({ line: e.line, message: e.message })) };
  } catch (err) {
    return { html: '', errors: [{ message: `MJML could not be compiled: ${(err as Error).message}` }] };
  }
};
