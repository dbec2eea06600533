/**
 * Validation of one segment definition: the schema (every bad field, with "did you mean"), then what the
 * schema cannot see (leaf count, nesting depth, a segment that references itself). Pure: yaml and zod.
 * Checks across segments (unknown references, cycles, how many) are in graph.ts.
 */
import { checkSchema, locate, type Problem, readYaml, sortProblems, type YamlText } from '../../shared/validation.js';
import { SegmentError, type SegmentIssue } from '../errors.js';
import { atomsWithPaths, isRef, type Segment, segmentLimits } from './definition.js';
import { segmentSchema } from './schema.js';

const issueOf = (p: Problem): SegmentIssue => {
  const { field, ...rest } = p;
  return { path: field === '(document)' ? '' : field, ...rest };
};

/** What a schema-valid segment breaks beyond its schema: the named limits, and referencing itself. */
export function checkSegment(segment: Segment): SegmentIssue[] {
  const issues: SegmentIssue[] = [];
  const atoms = atomsWithPaths(segment.conditions);
  if (atoms.length > segmentLimits.maxConditions) {
    issues.push({ path: 'conditions', message: `at most ${segmentLimits.maxConditions} conditions per segment, got ${atoms.length} (split it into segments that reference each other)` });
  }
  const tooDeep = atoms.find((a) => a.depth > segmentLimits.maxNesting);
  if (tooDeep) issues.push({ path: tooDeep.path, message: `all/any/not nest at most ${segmentLimits.maxNesting} deep (split it into segments that reference each other)` });
  for (const { atom, path } of atoms) {
    if ('did' in atom) {
      for (const k of ['atLeast', 'atMost'] as const) {
        const n = atom[k];
        if (n !== undefined && n > segmentLimits.maxBehaviourCount) issues.push({ path: `${path}.${k}`, message: `at most ${segmentLimits.maxBehaviourCount}, got ${n}` });
      }
    }
    if (isRef(atom) && atom.segment === segment.id) issues.push({ path: `${path}.segment`, message: `a segment cannot contain itself ("${segment.id}")` });
  }
  return issues;
}

/** Validates a parsed definition and reports every problem at once; throws SegmentError naming each field. */
export function validateSegment(doc: unknown, source = 'segment', yaml?: YamlText): Segment {
  const { data, problems } = checkSchema(segmentSchema, doc, yaml);
  const more = data ? checkSegment(data).map((i) => ({ ...i, ...locate(yaml, i.path) })) : [];
  const issues = sortProblems([...problems.map(issueOf), ...more]);
  if (issues.length > 0 || !data) throw new SegmentError(source, issues);
  return data;
}

/** Parses YAML (JSON is YAML too) and validates it; syntax errors come with their lines. */
export function parseSegment(text: string, source = 'segment'): Segment {
  const read = readYaml(text);
  if (read.problems.length > 0) throw new SegmentError(source, read.problems.map((p) => ({ ...issueOf(p), message: `not valid YAML: ${p.message}` })));
  return validateSegment(read.value, source, read.yaml);
}
