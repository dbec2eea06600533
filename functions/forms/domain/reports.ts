/**
 * Check reports of forms and landing pages: what the upload check (adapters/content-check.ts) writes
 * beside each source in the content bucket, and the only thing the public functions read. Pure types.
 */
import type { Problem } from '../../shared/problems.js';
import type { FormDefinition } from './definition.js';

/** Form sources `forms/<id>.yaml` (or `.yml`, `.json`); reports `forms/<id>.check.json`. */
export const formsPrefix = 'forms/';
/** Landing page sources `pages/<slug>.liquid`; layouts `pages/layouts/<name>.liquid`; reports `pages/<slug>.check.json`. */
export const pagesPrefix = 'pages/';
export const layoutsPrefix = 'pages/layouts/';
export const formCheckKey = (formId: string) => `${formsPrefix}${formId}.check.json`;
export const pageCheckKey = (slug: string) => `${pagesPrefix}${slug}.check.json`;

export interface FormCheckReport {
  formId: string;
  /** Source file name (`brochure.yaml`). */
  source: string;
  ok: boolean;
  checkedAt: string;
  errors: Problem[];
  warnings: Problem[];
  /** The checked definition (only when ok). */
  form?: FormDefinition;
}

/** A landing page as its check compiled it: front matter and the body, ready for the renderer. */
export interface CompiledPage {
  slug: string;
  /** Layout name (`hero-form`, `brochure`, `seminar`, `thank-you`, or one of yours under pages/layouts/). */
  layout: string;
  title: string;
  description?: string;
  /** Open Graph image (absolute https URL). */
  image?: string;
  /** Form shown on the page. */
  formId?: string;
  /** Language of the page (`<html lang>`), and of its form. */
  locale: 'ja' | 'en';
  /** Free front matter fields the templates read as `page.<key>` (`hero`, `theme`), normalized by the check. */
  data?: Record<string, unknown>;
  /** The page body (Liquid source, HTML), placed in the layout's content slot. */
  body: string;
  /** The layout's Liquid source, as checked with this page. */
  layoutSource: string;
  /** Content hash of page + layout (ETag). */
  version: string;
}

export interface PageCheckReport {
  slug: string;
  source: string;
  ok: boolean;
  checkedAt: string;
  errors: Problem[];
  warnings: Problem[];
  page?: CompiledPage;
}
