export { sfnClient } from '../../shared/aws/sfn.js';

/** The ARN an execution of this state machine gets under this name (Step Functions' own scheme). */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}
