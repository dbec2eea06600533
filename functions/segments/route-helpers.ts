/**
 * What the segments routes share: a 400 listing every problem by field, the body as a segment definition,
 * the set checks of a definition against the stored ones, the `{id}` parameter.
 */
import { BadRequestError, ClientError } from '../shared/errors.js';
import type { JsonSchema } from '../shared/route-docs.js';
import type { SegmentStore } from './adapters/definition-store.js';
import { referencesOf, type Segment, segmentIdRe, segmentLimits } from './domain/definition.js';
import { checkSegmentSet } from './domain/graph.js';
import { validateSegment } from './domain/validate.js';
import { SegmentError, type SegmentIssue, type SegmentSetIssue } from './errors.js';

/** One field's problem as a 400 lists it. */
export interface FieldProblem {
  field: string;
  message: string;
  suggestion?: string;
}

export function badRequest(problems: FieldProblem[]): ClientError {
  const first = problems[0] ?? { field: 'body', message: 'invalid' };
  return new ClientError(400, `${first.field}: ${first.message}`, { field: first.field, problems });
}

export const problemOf = (i: SegmentIssue, field = i.path || 'body', message = i.message): FieldProblem => ({ field, message, ...(i.suggestion ? { suggestion: i.suggestion } : {}) });

export function jsonObject(text: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(text || 'null');
  } catch {
    throw new BadRequestError('body', 'not valid JSON');
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new BadRequestError('body', 'a JSON object: a segment definition { id, name, conditions }');
  return raw as Record<string, unknown>;
}

/** The body as a segment definition, every problem naming its field. */
export function segmentOf(doc: unknown): Segment {
  try {
    return validateSegment(doc, 'segment');
  } catch (err) {
    if (err instanceof SegmentError) throw badRequest(err.issues.map((i) => problemOf(i)));
    throw err;
  }
}

/**
 * The set's problems once `segment` replaces (or joins) the stored ones, as fields of `segment`: a problem
 * found on another segment (a cycle closing there) is blamed on the reference of `segment` that leads to it.
 */
export function setProblems(segment: Segment, stored: readonly Segment[]): FieldProblem[] {
  const set = [segment, ...stored.filter((s) => s.id !== segment.id)];
  const byId = new Map(set.map((s) => [s.id, s]));
  const reaches = (from: string, to: string, seen = new Set<string>()): boolean => {
    if (from === to) return true;
    if (seen.has(from)) return false;
    seen.add(from);
    const s = byId.get(from);
    return !!s && referencesOf(s).some((r) => reaches(r.id, to, seen));
  };
  return checkSegmentSet(set).map((i: SegmentSetIssue) => {
    if (i.segment === segment.id) return problemOf(i);
    const via = referencesOf(segment).find((r) => reaches(r.id, i.segment));
    return problemOf(i, via?.path ?? 'conditions', `${i.message} (at segment "${i.segment}"${i.path ? ` ${i.path}` : ''})`);
  });
}

/** The `{id}` path parameter, checked. */
export function idParam(params: Record<string, string>): string {
  const id = params.id ?? '';
  if (id.length > segmentLimits.maxIdChars || !segmentIdRe.test(id)) throw new BadRequestError('id', `a segment id: lower-case letters, digits and dashes, at most ${segmentLimits.maxIdChars} characters`);
  return id;
}


/** 400 listing every problem of `segment` against the stored set (references, cycles, chains, count). */
export async function checkedAgainstSet(segments: SegmentStore, segment: Segment): Promise<Segment[]> {
  const stored = (await segments.list()).map((s) => s.segment);
  const problems = setProblems(segment, stored);
  if (problems.length > 0) throw badRequest(problems);
  return stored;
}

const conditionJson: JsonSchema = {
  type: 'object',
  description:
    'The scenario condition language: `{field, equals|notEquals|in|notIn|gt|gte|lt|lte|exists|contains}` (fields as scenario conditions, plus `lifecycle` and `consent`), ' +
    '`{did: <event>, within: <duration>, path?, atLeast?, atMost?}`, `{segment: <id>}` (membership of another segment), or `{all: [...]}`, `{any: [...]}`, `{not: {...}}`.',
};
/** A segment definition as JSON Schema (POST, PUT and the preview take it). */
export const segmentJson: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', pattern: segmentIdRe.source, maxLength: segmentLimits.maxIdChars },
    name: { type: 'string', maxLength: 200 },
    description: { type: 'string', maxLength: 2000 },
    conditions: { type: 'array', minItems: 1, items: conditionJson, description: 'All of these hold for a member' },
    public: {
      type: 'boolean',
      default: false,
      description: "Public: GET /v1/personalize may tell a page (the visitor's own browser) that its visitor is a member; only the id, never the conditions",
    },
  },
  required: ['id', 'name', 'conditions'],
};
