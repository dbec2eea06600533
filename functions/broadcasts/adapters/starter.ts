/** Starts and checks broadcast executions on Step Functions (names: `<broadcast id>-<generation>`). */
import { DescribeExecutionCommand, ExecutionAlreadyExists, ExecutionDoesNotExist, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { executionInput, executionName } from '../domain/asl.js';
import type { Broadcast } from '../domain/model.js';
import type { ExecutionStarter } from '../domain/page.js';

export class SfnExecutionStarter implements ExecutionStarter {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
    private readonly shards: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async start(b: Broadcast, generation: number): Promise<void> {
    // Only a start still ahead is waited for (a continuation starts at once).
    const startAt = Date.parse(b.startAt) > this.now().getTime() ? b.startAt : undefined;
    try {
      await this.sfn.send(
        new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: executionName(b.id, generation), input: JSON.stringify(executionInput(b.id, generation, startAt, this.shards)) }),
      );
    } catch (err) {
      // The name is taken: this generation was started already (a retried finisher or resume).
      if (!(err instanceof ExecutionAlreadyExists)) throw err;
    }
  }

  async running(b: Broadcast, generation: number): Promise<boolean> {
    const executionArn = `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName(b.id, generation)}`;
    try {
      return (await this.sfn.send(new DescribeExecutionCommand({ executionArn }))).status === 'RUNNING';
    } catch (err) {
      if (err instanceof ExecutionDoesNotExist) return false;
      throw err;
    }
  }
}
