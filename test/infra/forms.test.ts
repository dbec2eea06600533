import { afterAll, describe, expect, it } from 'vitest';
import { formKeys, pageKeys } from '../../infra/forms-admin.js';
import { actionsOf, logicalIdOf, removeOutdirs, roleStatements, synthStack, synthTimeoutMs } from './synth.js';

afterAll(removeOutdirs);

const variablesOf = (template: ReturnType<typeof synthStack>['template'], fn: Parameters<typeof logicalIdOf>[0]) =>
  (template.toJSON().Resources[logicalIdOf(fn)].Properties.Environment?.Variables ?? {}) as Record<string, unknown>;

describe('forms infrastructure', () => {
  it('gives landing pages the tracker (signed with the first write key, with the cookie domain) only when its script URL is set', () => {
    const plain = synthStack();
    const vars = variablesOf(plain.template, plain.stack.forms.public);
    expect(vars).not.toHaveProperty('TRACKER_SCRIPT_URL');
    expect(vars).not.toHaveProperty('PAGES_COOKIE_DOMAIN');

    const withTracker = synthStack({ 'nurture:trackerScriptUrl': 'https://www.example.com/nurture.min.js', 'nurture:cookieDomain': '.example.com' });
    expect(variablesOf(withTracker.template, withTracker.stack.forms.public)).toMatchObject({
      TRACKER_SCRIPT_URL: 'https://www.example.com/nurture.min.js',
      PAGES_WRITE_KEY: 'wk_test_primary',
      PAGES_COOKIE_DOMAIN: '.example.com',
    });
    const output = JSON.stringify(withTracker.template.toJSON().Outputs.TrackerSnippet);
    expect(output).toContain('cookieDomain: \\".example.com\\"');
  }, synthTimeoutMs);

  it('checks uploads of form and page sources, and never lets the public function write the content bucket', () => {
    const { template, stack } = synthStack();
    const notifications = JSON.stringify(Object.values(template.findResources('Custom::S3BucketNotifications')));
    for (const { prefix, suffixes } of [formKeys, pageKeys]) {
      expect(notifications).toContain(`"Value":"${prefix}"`);
      for (const suffix of suffixes) expect(notifications).toContain(`"Value":"${suffix}"`);
    }
    const publicS3 = roleStatements(template, stack.forms.public).flatMap(actionsOf).filter((a) => a.startsWith('s3:'));
    expect(publicS3.length).toBeGreaterThan(0);
    expect(publicS3.filter((a) => /Put|Delete/.test(a))).toEqual([]);
  }, synthTimeoutMs);
});
