import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsStream } from '../../functions/shared/resources.js';
import type { NurtureStack } from '../../infra/stack.js';
import { actionsOf, getAtt, logicalIdOf, ref, removeOutdirs, resourcesOf, roleStatements, synthStack, synthTimeoutMs } from './synth.js';

let template: Template;
let stack: NurtureStack;

beforeAll(() => {
  ({ template, stack } = synthStack());
}, synthTimeoutMs);

afterAll(removeOutdirs);

describe('channels admin function: offline imports', () => {
  it('gets the events stream name and time for a whole request within the gateway timeout', () => {
    const fn = template.toJSON().Resources[logicalIdOf(stack.channels.admin)];
    expect(fn.Properties.Environment.Variables).toMatchObject({ [eventsStream.envVar]: ref(stack.ingest.events.stream) });
    expect(fn.Properties.Timeout).toBeLessThanOrEqual(29);
  });

  it('may put records on the events stream and on no other stream', () => {
    const kinesis = roleStatements(template, stack.channels.admin).filter((s) => actionsOf(s).some((a) => a.startsWith('kinesis:')));
    expect(kinesis.flatMap(actionsOf)).toContain('kinesis:PutRecords');
    for (const s of kinesis) expect(resourcesOf(s)).toEqual([getAtt(stack.ingest.events.stream)]);
  });
});
