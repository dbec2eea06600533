import { describe, expect, it } from 'vitest';
import { actionMatches, evaluate, resourceMatches, type Statement } from '../../../local/iam/evaluate.js';

const table = 'arn:aws:dynamodb:us-east-1:000000000000:table/nurture-main';
const allow = (Action: string | string[], Resource: string | string[], Condition?: Statement['Condition']): Statement => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...(Condition ? { Condition } : {}),
});

describe('IAM policy evaluation', () => {
  it('allows only what a statement grants: the action on the resource', () => {
    const policy = [allow(['dynamodb:GetItem', 'dynamodb:PutItem'], table)];
    expect(evaluate(policy, { action: 'dynamodb:GetItem', resource: table }).allowed).toBe(true);
    const query = evaluate(policy, { action: 'dynamodb:Query', resource: table });
    expect(query).toMatchObject({ allowed: false, explicit: false, reason: 'because no identity-based policy allows the dynamodb:Query action' });
    expect(evaluate(policy, { action: 'dynamodb:GetItem', resource: `${table}/index/byScore` }).allowed).toBe(false);
    expect(evaluate([], { action: 'dynamodb:GetItem', resource: table }).allowed).toBe(false);
  });

  it('lets an explicit Deny win over any Allow', () => {
    const policy: Statement[] = [allow('dynamodb:*', '*'), { Effect: 'Deny', Action: 'dynamodb:DeleteItem', Resource: table }];
    expect(evaluate(policy, { action: 'dynamodb:DeleteItem', resource: table })).toMatchObject({ allowed: false, explicit: true });
    expect(evaluate(policy, { action: 'dynamodb:PutItem', resource: table }).allowed).toBe(true);
  });

  it('matches action wildcards case-insensitively and resource wildcards case-sensitively', () => {
    expect(actionMatches('s3:Get*', 's3:GetObject')).toBe(true);
    expect(actionMatches('S3:getobject', 's3:GetObject')).toBe(true);
    expect(actionMatches('s3:Get?bject', 's3:GetObject')).toBe(true);
    expect(actionMatches('s3:Put*', 's3:GetObject')).toBe(false);
    expect(resourceMatches('arn:aws:s3:::nurture-content/rules/*', 'arn:aws:s3:::nurture-content/rules/active/scoring.yaml')).toBe(true);
    expect(resourceMatches('arn:aws:s3:::nurture-content/rules/*', 'arn:aws:s3:::nurture-content/Rules/x')).toBe(false);
    expect(resourceMatches('arn:aws:states:us-east-1:000000000000:execution:nurture-scenario-a:*', 'arn:aws:states:us-east-1:000000000000:execution:nurture-scenario-a:p1-x')).toBe(true);
    expect(resourceMatches('arn:aws:states:us-east-1:000000000000:execution:nurture-scenario-a:*', 'arn:aws:states:us-east-1:000000000000:execution:nurture-scenario-ab:p1')).toBe(false);
    // ARNs match part by part: a wildcard region matches any region, another account never matches.
    expect(resourceMatches('arn:aws:dynamodb:*:000000000000:table/nurture-main', table)).toBe(true);
    expect(resourceMatches('arn:aws:dynamodb:us-east-1:111111111111:table/*', table)).toBe(false);
  });

  it('honours NotAction and NotResource', () => {
    const policy: Statement[] = [{ Effect: 'Allow', NotAction: 'dynamodb:DeleteItem', NotResource: `${table}/index/*` }];
    expect(evaluate(policy, { action: 'dynamodb:PutItem', resource: table }).allowed).toBe(true);
    expect(evaluate(policy, { action: 'dynamodb:DeleteItem', resource: table }).allowed).toBe(false);
    expect(evaluate(policy, { action: 'dynamodb:Query', resource: `${table}/index/byScore` }).allowed).toBe(false);
  });

  describe('conditions', () => {
    const list = (prefix?: string) => ({ action: 's3:ListBucket', resource: 'arn:aws:s3:::b', context: prefix === undefined ? {} : { 's3:prefix': prefix } });
    it('StringLike on s3:prefix: only listings under the prefix; a listing without a prefix is denied', () => {
      const policy = [allow('s3:ListBucket', 'arn:aws:s3:::b', { StringLike: { 's3:prefix': ['rules/*'] } })];
      expect(evaluate(policy, list('rules/')).allowed).toBe(true);
      expect(evaluate(policy, list('templates/')).allowed).toBe(false);
      expect(evaluate(policy, list()).allowed).toBe(false);
    });

    it('StringEquals ANDs keys and ORs values; IfExists matches an absent key', () => {
      const send = (context: Record<string, string>) => ({ action: 'ses:SendEmail', resource: '*', context });
      const policy = [allow('ses:SendEmail', '*', { StringEquals: { 'ses:FromAddress': ['a@x.example', 'b@x.example'], 'ses:ApiVersion': '2' } })];
      expect(evaluate(policy, send({ 'ses:FromAddress': 'b@x.example', 'ses:ApiVersion': '2' })).allowed).toBe(true);
      expect(evaluate(policy, send({ 'ses:FromAddress': 'c@x.example', 'ses:ApiVersion': '2' })).allowed).toBe(false);
      expect(evaluate(policy, send({ 'ses:FromAddress': 'a@x.example' })).allowed).toBe(false);
      const ifExists = [allow('ses:SendEmail', '*', { StringEqualsIfExists: { 'ses:FromDisplayName': 'Acme' } })];
      expect(evaluate(ifExists, send({})).allowed).toBe(true);
      expect(evaluate(ifExists, send({ 'ses:FromDisplayName': 'Other' })).allowed).toBe(false);
    });

    it('negated operators, ArnLike, ArnEquals, Bool and Null', () => {
      const req = (context: Record<string, string | string[]>) => ({ action: 'x:Do', resource: '*', context });
      expect(evaluate([allow('x:Do', '*', { StringNotEquals: { k: 'a' } })], req({ k: 'b' })).allowed).toBe(true);
      expect(evaluate([allow('x:Do', '*', { StringNotEquals: { k: 'a' } })], req({ k: 'a' })).allowed).toBe(false);
      expect(evaluate([allow('x:Do', '*', { ArnLike: { 'aws:SourceArn': 'arn:aws:states:*:000000000000:stateMachine:*' } })], req({ 'aws:SourceArn': 'arn:aws:states:us-east-1:000000000000:stateMachine:m' })).allowed).toBe(true);
      expect(evaluate([allow('x:Do', '*', { ArnEquals: { 'aws:SourceArn': 'arn:aws:s3:::a' } })], req({ 'aws:SourceArn': 'arn:aws:s3:::b' })).allowed).toBe(false);
      expect(evaluate([allow('x:Do', '*', { Bool: { 'aws:SecureTransport': 'true' } })], req({ 'aws:SecureTransport': 'true' })).allowed).toBe(true);
      expect(evaluate([allow('x:Do', '*', { Null: { k: 'true' } })], req({})).allowed).toBe(true);
      expect(evaluate([allow('x:Do', '*', { Null: { k: 'true' } })], req({ k: 'v' })).allowed).toBe(false);
    });

    it('ForAnyValue and ForAllValues on multi-valued keys', () => {
      const req = (recipients: string[]) => ({ action: 'ses:SendEmail', resource: '*', context: { 'ses:Recipients': recipients } });
      const any = [allow('ses:SendEmail', '*', { 'ForAnyValue:StringLike': { 'ses:Recipients': ['*@example.com'] } })];
      const all = [allow('ses:SendEmail', '*', { 'ForAllValues:StringLike': { 'ses:Recipients': ['*@example.com'] } })];
      expect(evaluate(any, req(['a@other.example', 'b@example.com'])).allowed).toBe(true);
      expect(evaluate(all, req(['a@other.example', 'b@example.com'])).allowed).toBe(false);
      expect(evaluate(all, req(['a@example.com', 'b@example.com'])).allowed).toBe(true);
    });

    it('denies, and says why, when an Allow depends on an operator it cannot evaluate', () => {
      const policy = [allow('x:Do', '*', { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } })];
      const d = evaluate(policy, { action: 'x:Do', resource: '*' });
      expect(d.allowed).toBe(false);
      expect(!d.allowed && d.reason).toContain('condition operator DateGreaterThan');
      // A Deny it cannot evaluate is applied (fail closed).
      const deny: Statement[] = [allow('x:Do', '*'), { Effect: 'Deny', Action: 'x:Do', Resource: '*', Condition: { DateGreaterThan: { 'aws:CurrentTime': 'x' } } }];
      expect(evaluate(deny, { action: 'x:Do', resource: '*' })).toMatchObject({ allowed: false, explicit: true });
    });
  });
});
