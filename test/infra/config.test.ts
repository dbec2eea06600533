import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultLakeRetentionDays } from '../../functions/analytics/domain/lake.js';
import { defaultAthenaScanLimitGb, parseConfig } from '../../infra/config.js';
import { baseContext, buildTestApp, removeOutdirs, synthTimeoutMs } from './synth.js';

afterAll(removeOutdirs);

const read = (context: Record<string, unknown>) => (key: string) => context[key];

describe('deployment config from cdk.json context', () => {
  it('applies defaults for everything but write keys, origins and the sender address', () => {
    expect(parseConfig(read(baseContext))).toEqual({
      writeKeys: baseContext['nurture:writeKeys'],
      allowedOrigins: baseContext['nurture:allowedOrigins'],
      streamMode: 'on-demand',
      shardCount: 2,
      logRetentionDays: 30,
      senderAddress: baseContext['nurture:senderAddress'],
      sesSandboxRecipients: [],
      capPerDay: 1,
      capPerWeek: 3,
      transactionalCaps: { perDay: 20, perWeek: 100 },
      scenarioCaps: {},
      quietHours: '21:00-08:00',
      defaultTimeZone: 'UTC',
      consentMode: 'opt-out',
      sesRatePerSecond: 14,
      lakeRetentionDays: defaultLakeRetentionDays,
      athenaScanLimitGb: defaultAthenaScanLimitGb,
      currency: 'JPY',
      recommendationControlShare: 0.1,
    });
  });

  it('passes the SES rate (nurture:sesRatePerSecond, "-c" string too) to both broadcast functions as SES_RATE_PER_SECOND', () => {
    const { stack } = buildTestApp({ 'nurture:sesRatePerSecond': '37.5' });
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Properties: { Environment: { Variables: Record<string, unknown> } } }>;
    for (const fn of [stack.broadcasts.page, stack.broadcasts.admin]) {
      expect(resources[stack.getLogicalId(fn.node.defaultChild as CfnElement)]!.Properties.Environment.Variables.SES_RATE_PER_SECOND).toBe('37.5');
    }
  }, synthTimeoutMs);

  it('passes the cost currency (nurture:currency) to the channels admin function as CURRENCY', () => {
    const { stack } = buildTestApp({ 'nurture:currency': 'USD' });
    const template = Template.fromStack(stack);
    const fn = template.toJSON().Resources[stack.getLogicalId(stack.channels.admin.node.defaultChild as CfnElement)] as { Properties: { Environment: { Variables: Record<string, unknown> } } };
    expect(fn.Properties.Environment.Variables.CURRENCY).toBe('USD');
  }, synthTimeoutMs);

  it('reads sending caps, quiet hours and scenario caps from `-c` strings too', () => {
    const config = parseConfig(
      read({
        ...baseContext,
        'nurture:capPerDay': '2',
        'nurture:scenarioCaps': '{"cart-reminder": {"perDay": 1}}',
        'nurture:quietHours': 'off',
      }),
    );
    expect(config).toMatchObject({ capPerDay: 2, scenarioCaps: { 'cart-reminder': { perDay: 1 } }, quietHours: 'off' });
  });

  it('accepts comma lists and numbers as `-c key=value` strings', () => {
    const config = parseConfig(
      read({
        'nurture:writeKeys': 'wk_cli_00001, wk_cli_00002',
        'nurture:allowedOrigins': '["https://a.example.com"]',
        'nurture:shardCount': '4',
        'nurture:senderAddress': 'news@mail.example.com',
      }),
    );
    expect(config.writeKeys).toEqual(['wk_cli_00001', 'wk_cli_00002']);
    expect(config.allowedOrigins).toEqual(['https://a.example.com']);
    expect(config.shardCount).toBe(4);
  });

  it.each([
    ['nurture:writeKeys', []],
    ['nurture:writeKeys', ['short']],
    ['nurture:allowedOrigins', ['www.example.com']],
    ['nurture:allowedOrigins', []],
    ['nurture:streamMode', 'serverless'],
    ['nurture:shardCount', 0],
    ['nurture:logRetentionDays', 45],
    ['nurture:senderAddress', 'not-an-address'],
    ['nurture:capPerDay', -1],
    ['nurture:quietHours', '9pm-8am'],
    ['nurture:defaultTimeZone', 'Mars/Olympus'],
    ['nurture:scenarioCaps', { 'cart-reminder': { perMonth: 3 } }],
    ['nurture:consentMode', 'maybe'],
    ['nurture:sesSandboxRecipients', ['not an address']],
    ['nurture:lakeRetentionDays', 0],
    ['nurture:lakeRetentionDays', 'forever'],
    ['nurture:athenaScanLimitGb', 0],
    ['nurture:athenaScanLimitGb', 2.5],
    ['nurture:currency', 'yen'],
    ['nurture:currency', 'usd'],
  ])('fails the app build naming %s when it is %j', (key, value) => {
    expect(() => buildTestApp({ [key]: value })).toThrow(new RegExp(`${key}:`));
  });

  it('fails on a misspelt key, naming it and the key meant, instead of silently keeping the default', () => {
    expect(() => buildTestApp({ 'nurture:capPerDya': 5 })).toThrow(/nurture:capPerDya: not a Nurture setting \(did you mean "nurture:capPerDay"\?\)/);
    // Keys of other tools (CDK's own, feature flags) are not Nurture's business.
    expect(() => buildTestApp({ '@aws-cdk/core:someFlag': true })).not.toThrow();
  });

  it('fails when the write keys are missing altogether', () => {
    expect(() => buildTestApp({ 'nurture:writeKeys': undefined })).toThrow(/nurture:writeKeys:/);
  });

  it('fails when the sender address is missing: mail cannot go out without one', () => {
    expect(() => buildTestApp({ 'nurture:senderAddress': undefined })).toThrow(/nurture:senderAddress:/);
  });
});
