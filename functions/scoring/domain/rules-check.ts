/**
 * The check of a rules upload: a valid document goes into force, an invalid one is refused and the
 * previous version stays in force; either way the verdict is written beside it. Pure (S3 is a port).
 */
import { InvalidRulesError } from '../errors.js';
import { parseRules } from './rules.js';

export interface RulesCheckResult {
  ok: boolean;
  key: string;
  checkedAt: string;
  version?: number;
  rules?: number;
  problems?: { field: string; line?: number; message: string }[];
}

export interface RulesUploadPorts {
  uploads: {
    /** The uploaded document's text. */
    read(upload: RulesUpload): Promise<string>;
    /** Puts the uploaded document in force (where the processor reads it). */
    activate(upload: RulesUpload): Promise<void>;
    /** Writes the verdict where the marketer looks for it. */
    report(upload: RulesUpload, result: RulesCheckResult): Promise<void>;
  };
  now(): Date;
  warn(message: string, details: Record<string, unknown>): void;
}

export interface RulesUpload {
  bucket: string;
  key: string;
}

export async function checkRulesUpload(upload: RulesUpload, ports: RulesUploadPorts): Promise<RulesCheckResult> {
  const source = await ports.uploads.read(upload);
  let result: RulesCheckResult;
  try {
    const doc = parseRules(source);
    await ports.uploads.activate(upload);
    result = { ok: true, key: upload.key, checkedAt: ports.now().toISOString(), version: doc.version, rules: doc.rules.length };
  } catch (err) {
    if (!(err instanceof InvalidRulesError)) throw err;
    result = { ok: false, key: upload.key, checkedAt: ports.now().toISOString(), problems: err.problems };
    ports.warn('scoring rules refused', { problems: err.problems });
  }
  await ports.uploads.report(upload, result);
  return result;
}
