import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { definitionFiles, putFolder, putSegment, validateFiles } from '../../../cli/commands/segment-definitions.js';
import { repoRoot } from '../../../local/runtime/context.js';
import { memorySegmentStore } from './memory-store.js';

const warm = ['id: warm-leads', 'name: Warm leads', 'conditions:', '  - { field: score, gte: 40 }', ''].join('\n');
const mailable = ['id: warm-mailable', 'name: Warm and mailable', 'conditions:', '  - segment: warm-leads', '  - { field: consent, equals: granted }', ''].join('\n');

describe('segments validate', () => {
  it('names each problem with its file, line and field', () => {
    const bad = ['id: broken', 'name: Broken', 'conditions:', '  - { field: score, gte: 40 }', '  - { field: lifecycle, equals: at-risk }', ''].join('\n');
    const { segments, lines } = validateFiles([{ file: 'segments/broken.yaml', text: bad }]);
    expect(segments).toEqual([]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^segments\/broken\.yaml:5:\d+ {2}conditions\[1\]\.equals {2}.*at_risk/);
  });

  it('checks the references between the files of a folder, at the line of the reference', () => {
    const wrongRef = mailable.replace('segment: warm-leads', 'segment: warm-lead');
    const { lines } = validateFiles([
      { file: 'warm-leads.yaml', text: warm },
      { file: 'warm-mailable.yaml', text: wrongRef },
    ]);
    expect(lines).toEqual([expect.stringMatching(/^warm-mailable\.yaml:4:\d+ {2}conditions\[0\]\.segment {2}no segment has the id "warm-lead" \(did you mean "warm-leads"\?\)/)]);
    expect(validateFiles([{ file: 'a.yaml', text: warm }, { file: 'b.yaml', text: mailable }]).lines).toEqual([]);
  });
});

describe('segments put', () => {
  it('creates, leaves an unchanged file alone, replaces at the stored version, and refuses a stale `version:`', async () => {
    const store = memorySegmentStore();
    expect(await putSegment(store, 'w.yaml', warm)).toBe('w.yaml: warm-leads stored as version 1');
    expect(await putSegment(store, 'w.yaml', warm)).toBe('w.yaml: warm-leads unchanged at version 1');
    expect(await putSegment(store, 'w.yaml', warm.replace('gte: 40', 'gte: 50'))).toBe('w.yaml: warm-leads stored as version 2');
    await expect(putSegment(store, 'w.yaml', `version: 1\nupdatedAt: x\n${warm.replace('gte: 40', 'gte: 60')}`)).rejects.toThrow('is at version 2, not 1');
    expect(await putSegment(store, 'w.yaml', `version: 2\nupdatedAt: x\n${warm.replace('gte: 40', 'gte: 60')}`)).toBe('w.yaml: warm-leads stored as version 3');
  });

  it('refuses a file whose reference is not stored or closes a cycle, and stores nothing', async () => {
    const store = memorySegmentStore();
    await expect(putSegment(store, 'm.yaml', mailable)).rejects.toThrow(/m\.yaml:4:\d+ {2}conditions\[0\]\.segment {2}no segment has the id "warm-leads"/);
    await putSegment(store, 'w.yaml', warm);
    await putSegment(store, 'm.yaml', mailable);
    await expect(putSegment(store, 'w.yaml', `${warm}  - segment: warm-mailable\n`)).rejects.toThrow(/conditions\[1\]\.segment {2}segments reference each other in a cycle/);
    await expect(putSegment(store, 'x.yaml', 'id: x\nname: [unclosed\n')).rejects.toThrow('not valid YAML');
    expect([...store.items.keys()].sort()).toEqual(['warm-leads', 'warm-mailable']);
    expect(store.items.get('warm-leads')!.version).toBe(1);
  });
});

describe('segments put <folder>', () => {
  it('stores a folder in dependency order, changes nothing when run again, and stores nothing when a file is wrong', async () => {
    const store = memorySegmentStore();
    // The file naming another segment sorts first; the referenced one must be stored before it.
    const files = [
      { file: 'a-warm-mailable.yaml', text: mailable },
      { file: 'b-warm-leads.yaml', text: warm },
    ];
    expect(await putFolder(store, files)).toEqual(['b-warm-leads.yaml: warm-leads stored as version 1', 'a-warm-mailable.yaml: warm-mailable stored as version 1']);
    expect(await putFolder(store, files)).toEqual(['b-warm-leads.yaml: warm-leads unchanged at version 1', 'a-warm-mailable.yaml: warm-mailable unchanged at version 1']);

    const empty = memorySegmentStore();
    await expect(putFolder(empty, [files[1]!, { file: 'c.yaml', text: mailable.replace('segment: warm-leads', 'segment: nope') }])).rejects.toThrow(/nothing stored/);
    expect(await empty.list()).toEqual([]);
  });
});

describe('the example segments', () => {
  it('validate as a set, as `segments put statemachines/segments` deploys them', () => {
    const files = definitionFiles(join(repoRoot, 'statemachines', 'segments')).map((file) => ({ file, text: readFileSync(file, 'utf8') }));
    expect(files.length).toBeGreaterThanOrEqual(4);
    expect(validateFiles(files).lines).toEqual([]);
  });
});
