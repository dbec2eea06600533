import { describe, expect, it } from 'vitest';
import { type CfnTemplateJson, flattenNested } from '../../../local/iam/nested-templates.js';

const parent: CfnTemplateJson = {
  Resources: {
    Table: { Type: 'AWS::DynamoDB::Table' },
    Shard0: {
      Type: 'AWS::CloudFormation::Stack',
      Properties: { Parameters: { refTableArn: { 'Fn::GetAtt': ['Table', 'Arn'] }, refTableName: { Ref: 'Table' } } },
    },
    Dashboard: { Type: 'AWS::CloudWatch::Dashboard', Properties: { Body: { 'Fn::GetAtt': ['Shard0', 'Outputs.MachineRef'] } } },
  },
};
const shard0: CfnTemplateJson = {
  Parameters: { refTableArn: { Type: 'String' }, refTableName: { Type: 'String' } },
  Resources: {
    Role: { Type: 'AWS::IAM::Role', Properties: { Policies: [{ PolicyDocument: { Statement: [{ Action: 'dynamodb:UpdateItem', Resource: { Ref: 'refTableArn' } }] } }] } },
    Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: { RoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] }, Table: { Ref: 'refTableName' }, Other: { Ref: 'toString' } } },
  },
  Outputs: { MachineRef: { Value: { Ref: 'Machine' } } },
};

describe('nested stacks as one template (local IAM check, infra tests)', () => {
  it('writes nested parameters back as the parent expressions passed for them, and leaves nested references alone', () => {
    const flat = flattenNested(parent, [{ logicalId: 'Shard0', template: shard0 }]);

    expect(flat.Resources.Role!.Properties).toEqual({ Policies: [{ PolicyDocument: { Statement: [{ Action: 'dynamodb:UpdateItem', Resource: { 'Fn::GetAtt': ['Table', 'Arn'] } }] } }] });
    // A name that is no parameter (even one of Object.prototype's) stays as it was.
    expect(flat.Resources.Machine!.Properties).toEqual({ RoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] }, Table: { Ref: 'Table' }, Other: { Ref: 'toString' } });
  });

  it('writes a parent reference to a nested output as the output\'s value', () => {
    const flat = flattenNested(parent, [{ logicalId: 'Shard0', template: shard0 }]);

    expect(flat.Resources.Dashboard!.Properties).toEqual({ Body: { Ref: 'Machine' } });
  });

  it('refuses two stacks using one logical id', () => {
    const clash: CfnTemplateJson = { Resources: { Table: { Type: 'AWS::SQS::Queue' } } };

    expect(() => flattenNested(parent, [{ logicalId: 'Shard0', template: clash }])).toThrow(/logical id Table of nested stack Shard0/);
  });
});
