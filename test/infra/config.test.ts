import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../infra/config.js';
import { baseContext, buildTestApp, removeOutdirs } from './synth.js';

afterAll(removeOutdirs);

const read = (context: Record<string, unknown>) => (key: string) => context[key];

describe('deployment config from cdk.json context', () => {
  it('applies defaults for everything but write keys and origins', () => {
    expect(parseConfig(read(baseContext))).toEqual({
      writeKeys: baseContext['nurture:writeKeys'],
      allowedOrigins: baseContext['nurture:allowedOrigins'],
      streamMode: 'on-demand',
      shardCount: 2,
      logRetentionDays: 30,
    });
  });

  it('accepts comma lists and numbers as `-c key=value` strings', () => {
    const config = parseConfig(
      read({
        'nurture:writeKeys': 'wk_cli_00001, wk_cli_00002',
        'nurture:allowedOrigins': '["https://a.example.com"]',
        'nurture:shardCount': '4',
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
  ])('fails the app build naming %s when it is %j', (key, value) => {
    expect(() => buildTestApp({ [key]: value })).toThrow(new RegExp(`${key}:`));
  });

  it('fails when the write keys are missing altogether', () => {
    expect(() => buildTestApp({ 'nurture:writeKeys': undefined })).toThrow(/nurture:writeKeys:/);
  });
});
