import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { thresholds } from '../../infra/observability.js';
import { removeOutdirs, synthStack } from './synth.js';

let template: Template;
beforeAll(() => {
  ({ template } = synthStack());
});
afterAll(removeOutdirs);

describe('observability', () => {
  it('has one dashboard covering ingest, processor, stages, scenarios and email', () => {
    const dashboards = template.findResources('AWS::CloudWatch::Dashboard');
    expect(Object.keys(dashboards)).toHaveLength(1);
    const body = JSON.stringify(Object.values(dashboards)[0]);
    for (const metric of ['EventsAccepted', 'StoreFailures', 'IteratorAge', 'LeadsEntered_mql', 'ExecutionsFailed', 'EmailsSent', 'EmailsSkipped_cap-reached', 'SesFeedback_Bounce']) {
      expect(body, metric).toContain(metric);
    }
  });

  it('alarms on events not stored, API 5xx and SES reputation', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'StoreFailures', Namespace: 'Nurture', Threshold: thresholds.storeFailures });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: '5xx', Namespace: 'AWS/ApiGateway' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Reputation.BounceRate', Threshold: thresholds.bounceRate });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Reputation.ComplaintRate', Threshold: thresholds.complaintRate });
    template.hasOutput('DashboardName', Match.anyValue());
  });
});
