import { describe, expect, it } from 'vitest';
import { ScenarioError, type ScenarioIssue } from '../../../functions/scenarios/errors.js';
import { parseScenario, validateScenario } from '../../../functions/scenarios/domain/load.js';

const base = { id: 'demo', name: 'Demo', trigger: { event: 'Form Submitted' } };

function issuesOf(doc: unknown): string[] {
  try {
    validateScenario(doc);
  } catch (err) {
    if (err instanceof ScenarioError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  return [];
}

describe('scenario validator', () => {
  it('accepts a minimal scenario and fills the defaults', () => {
    const s = validateScenario({ ...base, steps: [{ id: 'hello', type: 'send', template: 'welcome' }] });
    expect(s.reentry).toBe('never');
    expect(s.steps[0]).toMatchObject({ category: 'marketing', capPolicy: 'defer' });
  });

  it('names the bad field with its path', () => {
    expect(issuesOf({ ...base, steps: [{ id: 'w', type: 'wait', for: '3 days' }] })).toEqual([
      'steps[0].for: "3 days" is not a duration like 30m, 4h, 3d, 2w or 1d12h',
    ]);
    expect(issuesOf({ ...base, steps: [{ id: 'b', type: 'branch', paths: [{ when: [{ field: 'score', gte: 'high' }], next: 'b' }] }] })[0]).toMatch(
      /^steps\[0\]\.paths\[0\]\.when\[0\]\.gte: /,
    );
    expect(issuesOf({ ...base, steps: [{ id: 'x', type: 'teleport' }] })[0]).toMatch(/^steps\[0\]\.type: type is one of wait, branch/);
    expect(issuesOf({ ...base, trigger: { event: 'A', stage: 'mql' }, steps: [{ id: 'x', type: 'exit' }] })).toEqual([
      'trigger: exactly one of event, stage, lifecycle, identified, segment or score, got event, stage',
    ]);
  });

  it('takes a lifecycle trigger to a state a customer can enter, not prospect', () => {
    expect(issuesOf({ ...base, trigger: { lifecycle: 'at_risk' }, steps: [{ id: 'x', type: 'exit' }] })).toEqual([]);
    expect(issuesOf({ ...base, trigger: { lifecycle: 'prospect' }, steps: [{ id: 'x', type: 'exit' }] })[0]).toMatch(/^trigger\.lifecycle: /);
  });

  it('rejects a branch target that does not exist', () => {
    expect(
      issuesOf({
        ...base,
        steps: [{ id: 'b', type: 'branch', paths: [{ when: [{ field: 'stage', equals: 'mql' }], next: 'nowhere' }] }],
      }),
    ).toEqual(['steps[0].paths[0].next: no step has the id "nowhere"']);
  });

  it('rejects unreachable steps', () => {
    expect(
      issuesOf({
        ...base,
        steps: [
          { id: 'a', type: 'send', template: 'welcome', next: 'c' },
          { id: 'b', type: 'send', template: 'welcome' },
          { id: 'c', type: 'exit' },
        ],
      }),
    ).toEqual(['steps[1]: step "b" is unreachable: no step leads to it']);
  });

  it('rejects a loop without a wait, and accepts the same loop through a wait', () => {
    const loop = (waitFirst: boolean) => ({
      ...base,
      steps: [
        ...(waitFirst ? [{ id: 'pause', type: 'wait', for: '1d' }] : []),
        { id: 'check', type: 'branch', paths: [{ when: [{ field: 'score', gte: 10 }], next: 'done' }] },
        { id: 'nudge', type: 'send', template: 'welcome', next: waitFirst ? 'pause' : 'check' },
        { id: 'done', type: 'exit' },
      ],
    });
    expect(issuesOf(loop(false))).toEqual(['steps[0]: loop without a wait: check → nudge → check (add a wait or waitFor to the loop)']);
    expect(issuesOf(loop(true))).toEqual([]);
  });

  it('rejects duplicate ids, a goal equal to the trigger, and lastEmail before any send', () => {
    expect(
      issuesOf({
        ...base,
        goal: { event: 'Form Submitted' },
        steps: [
          { id: 'b', type: 'branch', paths: [{ when: [{ lastEmail: 'opened' }], next: 'b2' }] },
          { id: 'b2', type: 'exit' },
          { id: 'b2', type: 'exit' },
        ],
      }),
    ).toEqual([
      'steps[2].id: duplicate step id "b2" (also steps[1])',
      'goal: the goal is the trigger itself: every enrollment would end at once',
      'steps[0].paths[0].when: lastEmail before any send step: no email to look at',
    ]);
    expect(issuesOf({ ...base, goal: { event: 'Form Submitted' }, steps: [{ id: 'x', type: 'exit' }] })).toEqual([
      'goal: the goal is the trigger itself: every enrollment would end at once',
    ]);
    expect(
      issuesOf({ ...base, steps: [{ id: 'b', type: 'branch', paths: [{ when: [{ lastEmail: 'opened' }], next: 'x' }] }, { id: 'x', type: 'exit' }] }),
    ).toEqual(['steps[0].paths[0].when: lastEmail before any send step: no email to look at']);
  });

  it('enforces the named limits', () => {
    const steps = Array.from({ length: 51 }, (_, i) => ({ id: `w${i}`, type: 'wait', for: '1h' }));
    expect(issuesOf({ ...base, steps })).toContain('steps: at most 50 steps');
    expect(issuesOf({ ...base, steps: [{ id: 'w', type: 'waitFor', event: 'E', timeout: '30s' }] })).toEqual(['steps[0].timeout: at least 60 seconds']);
    expect(issuesOf({ ...base, steps: [{ id: 'w', type: 'wait', for: '400d' }] })).toEqual(['steps[0].for: at most 365 days']);
  });

  it('reports YAML syntax errors with the line', () => {
    expect(() => parseScenario('id: x\nsteps: [\n', 'broken.yaml')).toThrow(/broken\.yaml: line \d+: \(yaml\): not valid YAML: /);
  });

  it('reports every mistake in one run, each at its line, with the type or step meant', () => {
    const source = [
      'id: demo', //                              1
      'name: Demo', //                            2
      'trigger: { event: Form Submitted }', //    3
      'steps:', //                                4
      '  - id: pause', //                         5
      '    type: wiat', //                        6  misspelt step type
      '    for: 3d', //                           7
      '  - id: hello', //                         8
      '    type: send', //                        9
      '    template: welcome', //                 10
      '    tempalte_vars: {}', //                 11 unknown key, nothing close
      '    next: thnaks', //                      12 unknown step target
      '  - id: thanks', //                        13
      '    type: update', //                      14
      '    stgae: customer', //                   15 misspelt key
    ].join('\n');
    let issues: ScenarioIssue[] = [];
    try {
      parseScenario(source, 'demo.yaml');
    } catch (err) {
      if (err instanceof ScenarioError) issues = err.issues;
    }
    expect(issues).toEqual([
      { path: 'steps[0].type', line: 6, column: 5, message: expect.stringContaining('type is one of wait, branch'), suggestion: 'wait' },
      { path: 'steps[1].tempalte_vars', line: 11, column: 5, message: expect.stringMatching(/^unknown key "tempalte_vars" \(allowed: id, name, type, template/) },
      { path: 'steps[1].next', line: 12, column: 5, message: 'no step has the id "thnaks"', suggestion: 'thanks' },
      { path: 'steps[2].stgae', line: 15, column: 5, message: 'unknown key "stgae"', suggestion: 'stage' },
    ]);
  });

  it('suggests the key meant inside a condition, and leaves out what the typo caused', () => {
    const issues = issuesOf({ ...base, steps: [{ id: 'b', type: 'branch', paths: [{ when: [{ field: 'score', gtee: 10 }], next: 'x' }] }, { id: 'x', type: 'exit' }] });
    expect(issues).toEqual(['steps[0].paths[0].when[0].gtee: unknown key "gtee"']);
    try {
      validateScenario({ ...base, steps: [{ id: 'x', type: 'update', points: 5, nxet: 'x' }] });
    } catch (err) {
      expect((err as ScenarioError).issues).toEqual([{ path: 'steps[0].nxet', message: 'unknown key "nxet"', suggestion: 'next' }]);
    }
    expect.assertions(2);
  });
});
