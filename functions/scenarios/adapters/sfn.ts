import { SFNClient } from '@aws-sdk/client-sfn';

/** Step Functions client; local mode points it at its endpoint through AWS_ENDPOINT_URL_SFN. */
export function sfnClient(): SFNClient {
  return new SFNClient({});
}

/** The ARN an execution of this state machine gets under this name (Step Functions' own scheme). */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}
