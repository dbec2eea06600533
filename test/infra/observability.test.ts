import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emittedMetrics } from '../../functions/shared/metric-names.js';
import { metricsNamespace } from '../../functions/shared/observability.js';
import { thresholds } from '../../infra/observability.js';
import { removeOutdirs, synthStack, synthTimeoutMs } from './synth.js';

let template: Template;
beforeAll(() => {
  ({ template } = synthStack());
}, synthTimeoutMs);
afterAll(removeOutdirs);

type Read = { service: string; name: string; where: string };

/** Nurture-namespace metrics a dashboard body reads: `["Nurture", name, "service", service, …]` entries. */
function dashboardReads(): Read[] {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  // The body is a Fn::Join of JSON fragments and tokens; the metric arrays are literal text inside it.
  const text = dashboards.map((d) => JSON.stringify(d.Properties.DashboardBody['Fn::Join'][1].filter((p: unknown) => typeof p === 'string').join('')));
  const found: Read[] = [];
  const entry = new RegExp(`\\\\"${metricsNamespace}\\\\",\\\\"([^\\\\"]+)\\\\",\\\\"service\\\\",\\\\"([^\\\\"]+)\\\\"`, 'g');
  for (const body of text) for (const m of body.matchAll(entry)) found.push({ name: m[1]!, service: m[2]!, where: 'dashboard' });
  return found;
}

/** Nurture-namespace metrics alarms read, as a single metric or inside metric math. */
function alarmReads(): Read[] {
  const found: Read[] = [];
  const add = (where: string, m: { Namespace?: string; MetricName?: string; Dimensions?: { Name: string; Value: unknown }[] }) => {
    if (m.Namespace !== metricsNamespace) return;
    found.push({ name: m.MetricName!, service: String(m.Dimensions?.find((d) => d.Name === 'service')?.Value), where });
  };
  for (const [id, alarm] of Object.entries(template.findResources('AWS::CloudWatch::Alarm'))) {
    add(id, alarm.Properties);
    for (const q of alarm.Properties.Metrics ?? []) if (q.MetricStat) add(id, q.MetricStat.Metric);
  }
  return found;
}

describe('observability', () => {
  it('has one dashboard covering ingest, processor, stages, scenarios and email', () => {
    const dashboards = template.findResources('AWS::CloudWatch::Dashboard');
    expect(Object.keys(dashboards)).toHaveLength(1);
    const body = JSON.stringify(Object.values(dashboards)[0]);
    for (const metric of ['EventsAccepted', 'StoreFailures', 'IteratorAge', 'LeadsEntered_mql', 'ExecutionsFailed', 'EmailsSent', 'EmailsSkipped_cap-reached', 'SesFeedback_Bounce']) {
      expect(body, metric).toContain(metric);
    }
  });

  it('reads only metrics that a function publishes, by its service', () => {
    const reads = [...dashboardReads(), ...alarmReads()];
    // The parse finds what it should (else this test could not fail): the dashboard and the alarm on 503s.
    expect(reads).toContainEqual({ service: 'send', name: 'EmailsSent', where: 'dashboard' });
    expect(reads.filter((r) => r.where !== 'dashboard').map((r) => r.name)).toContain('StoreFailures');
    const published = emittedMetrics as Record<string, readonly string[]>;
    const unknown = reads.filter((r) => !published[r.service]?.includes(r.name));
    expect(unknown).toEqual([]);
  });

  it('graphs suppressed mail as the sum of the send function\'s per-cause counts', () => {
    const suppressed = dashboardReads().filter((r) => r.name.includes('suppressed'));
    expect(suppressed.map((r) => r.name).sort()).toEqual(['EmailsSkipped_suppressed-bounce', 'EmailsSkipped_suppressed-complaint', 'EmailsSkipped_suppressed-manual']);
  });

  it('alarms on events not stored or set aside, API 5xx and SES reputation', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'StoreFailures', Namespace: 'Nurture', Threshold: thresholds.storeFailures });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'EventsSetAside', Namespace: 'Nurture', Threshold: thresholds.eventsSetAside });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: '5xx', Namespace: 'AWS/ApiGateway' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Reputation.BounceRate', Threshold: thresholds.bounceRate });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Reputation.ComplaintRate', Threshold: thresholds.complaintRate });
    template.hasOutput('DashboardName', Match.anyValue());
  });
});
