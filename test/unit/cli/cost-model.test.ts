import { describe, expect, it } from 'vitest';
import { assumptions, formatCost, type LineItem, monthlyCost, perMillionByService, prices, type Usage, type Volume } from '../../../cli/cost-model.js';

// Figures of the shape the benchmarks save (bench/results/*.json); the values only need to be plausible.
const measured: Usage = {
  ingest: { collectCpuMsPerRequest: 0.2, streamRecordBytes: 450 },
  scoring: {
    writeRequestsPerEvent: 1,
    writeUnitsPerEvent: 1.5,
    readUnitsPerEvent: 1.3,
    linkWriteUnitsPerIdentify: 1.9,
    linkReadUnitsPerIdentify: 2,
    identifyShare: 0.05,
    busEventsPerEvent: 0.2,
    processorMsPerEvent: 1.8,
  },
  sending: { writeUnitsPerEmail: 2, readUnitsPerEmail: 1, sendMsPerEmail: 40 },
  scenarios: { transitionsPerExecution: 8, writeUnitsPerExecution: 4, readUnitsPerExecution: 3, lambdaTasksPerExecution: 4, taskMsPerInvocation: 60 },
  lake: { lakeRowBytes: 420, lakeParquetBytesPerRow: 60, lakeIdentityRowsPerEvent: 0.01, reportScanBytesPerEvent: 25 },
};
const volume = (events: number): Volume => ({ events, leads: 50_000, emails: 200_000, executions: 50_000 });
const item = (items: LineItem[], service: string, starts: string) => {
  const found = items.find((i) => i.service === service && i.item.startsWith(starts));
  if (!found) throw new Error(`no ${service} item starting "${starts}" in ${items.map((i) => `${i.service}: ${i.item}`).join('; ')}`);
  return found;
};

describe('event lake line items', () => {
  it('grow with events: ingestion, conversion, partitioning, storage and Athena scans', () => {
    const small = monthlyCost(volume(10e6), measured).items;
    const large = monthlyCost(volume(100e6), measured).items;
    for (const [service, starts] of [
      ['Firehose', 'lake ingestion'],
      ['Firehose', 'Parquet conversion'],
      ['Firehose', 'dynamic partitioning'],
      ['Firehose', 'JQ processing'],
      ['S3', 'lake storage'],
      ['Athena', ''],
    ] as const) {
      expect(item(large, service, starts).usd, `${service} ${starts}`).toBeGreaterThan(item(small, service, starts).usd * 2);
    }
    // Storage and partitioning are per byte: ten times the events, ten times the cost.
    expect(item(large, 'S3', 'lake storage').usd).toBeCloseTo(item(small, 'S3', 'lake storage').usd * 10, 6);
    expect(item(large, 'Firehose', 'dynamic partitioning').usd).toBeCloseTo(item(small, 'Firehose', 'dynamic partitioning').usd * 10, 6);
  });

  it('bills a packed Firehose record in 5 KB steps, so fuller batches cost less per event', () => {
    // 10M events a month fill batches of ~5 events (one ~2 KB record billed as 5 KB); 1B fill batches of 100.
    const perEvent = (events: number) => item(monthlyCost(volume(events), measured).items, 'Firehose', 'lake ingestion').usd / events;
    const rowGb = 420 / 1024 ** 3;
    expect(perEvent(10e6)).toBeGreaterThan(rowGb * prices.firehoseIngestPerGb * 2);
    expect(perEvent(1e9)).toBeLessThan(perEvent(10e6) / 2);
    expect(perEvent(1e9)).toBeGreaterThanOrEqual(rowGb * prices.firehoseIngestPerGb);
  });

  it('charges every report query at least 10 MB scanned', () => {
    const tiny = monthlyCost(volume(1_000), measured);
    const athena = item(tiny.items, 'Athena', '');
    expect(athena.usd).toBeCloseTo(((assumptions.reportQueriesPerMonth * prices.athenaMinBytesPerQuery) / 1024 ** 4) * prices.athenaPerTb, 9);
  });

  it('lists missing analytics figures as not measured and leaves their items out', () => {
    const { lake: _lake, ...withoutLake } = measured;
    const r = monthlyCost(volume(10e6), withoutLake);
    expect(r.items.some((i) => i.item.startsWith('lake ingestion') || i.service === 'Athena' || i.item.startsWith('lake storage'))).toBe(false);
    for (const figure of ['lakeRowBytes', 'lakeParquetBytesPerRow', 'lakeIdentityRowsPerEvent', 'reportScanBytesPerEvent']) {
      expect(r.missing.join('\n')).toContain(figure);
    }
    expect(formatCost(volume(10e6), r)).toContain('Not measured yet, left out:');

    const partial = monthlyCost(volume(10e6), { ...measured, lake: { lakeRowBytes: 420 } });
    expect(item(partial.items, 'Firehose', 'lake ingestion').usd).toBeGreaterThan(0);
    expect(partial.missing.join('\n')).toContain('reportScanBytesPerEvent');
    expect(partial.missing.join('\n')).not.toContain('lakeRowBytes');
  });
});

describe('scenario usage', () => {
  it('counts enrollment and step DynamoDB units when measured, and says so when not', () => {
    const v = volume(10e6);
    const { writeUnitsPerExecution: _w, readUnitsPerExecution: _r, ...unmeasured } = measured.scenarios!;
    const without = monthlyCost(v, { ...measured, scenarios: unmeasured });
    const withUnits = monthlyCost(v, measured);
    const dynamo = (r: typeof withUnits) => item(r.items, 'DynamoDB', '').usd;
    const expected = (v.executions * (4 * prices.dynamoPerMillionWru + 3 * prices.dynamoPerMillionRru)) / 1e6;
    expect(dynamo(withUnits) - dynamo(without)).toBeCloseTo(expected, 9);
    expect(without.missing.join('\n')).toContain('DynamoDB units of scenario enrollment and steps');
    expect(withUnits.missing.join('\n')).not.toContain('scenario');
  });

  it('prices the enroll and steps invocations', () => {
    const r = monthlyCost(volume(10e6), measured);
    expect(item(r.items, 'Lambda', 'scenario enroll and steps').item).toContain('200.0k invocations');
  });
});

describe('ranking-index writes', () => {
  it('prefers the measured units per event over the one-unit-per-write assumption', () => {
    const v = volume(10e6);
    const assumed = monthlyCost(v, measured);
    const low = monthlyCost(v, { ...measured, scoring: { ...measured.scoring, indexWriteUnitsPerEvent: 0.25 } });
    const dynamo = (r: typeof low) => item(r.items, 'DynamoDB', '').usd;
    expect(dynamo(assumed) - dynamo(low)).toBeCloseTo((v.events * (1 - 0.25) * prices.dynamoPerMillionWru) / 1e6, 9);
    expect(assumed.assumed).toHaveProperty('indexWriteUnitsPerUpdate');
    expect(low.assumed).not.toHaveProperty('indexWriteUnitsPerUpdate');
  });
});

describe('printed report', () => {
  it('breaks the per-million-events figure down by service, summing to it', () => {
    const v = volume(10e6);
    const r = monthlyCost(v, measured);
    const byService = perMillionByService(v, r);
    expect(byService.reduce((n, s) => n + s.usd, 0)).toBeCloseTo(r.perMillionEvents, 9);
    expect(byService.map((s) => s.service)).toEqual(expect.arrayContaining(['DynamoDB', 'Firehose', 'Athena', 'S3']));
    const text = formatCost(v, r);
    expect(text).toContain(`Variable cost per million events: $${r.perMillionEvents.toFixed(2)} (target ≤ $1.50)`);
    for (const s of byService) expect(text).toMatch(new RegExp(`\\n  ${s.service}\\s+\\$\\s*${s.usd.toFixed(4)}`));
  });

  it('says the log volume is an assumption', () => {
    const r = monthlyCost(volume(10e6), measured);
    expect(item(r.items, 'CloudWatch Logs', '').item).toContain(`assumed ${assumptions.logBytesPerInvocation} B per invocation`);
  });
});

describe('forms and landing pages line items', () => {
  const forms = { pageViewMs: 14, pageViewWriteUnits: 2, pageViewReadUnits: 1, submissionMs: 140, submissionWriteUnits: 4, submissionReadUnits: 3 };

  it('price page views and submissions by the forms function\'s measured time and units, and grow with them', () => {
    const at = (pageViews: number, submissions: number) => monthlyCost({ ...volume(10e6), pageViews, submissions }, { ...measured, forms }).items;
    const small = at(100_000, 1_000);
    const large = at(1_000_000, 10_000);
    for (const [service, starts] of [['API Gateway', 'forms'], ['Lambda', 'forms'], ['DynamoDB', 'forms']] as const) {
      expect(item(large, service, starts).usd).toBeGreaterThan(item(small, service, starts).usd * 9);
    }
    // 1M views and 10k submissions: 2 write units a view, 4 measured + 6 transactional a submission.
    expect(item(large, 'DynamoDB', 'forms').usd).toBeCloseTo(((2e6 + 10_000 * 10) * prices.dynamoPerMillionWru + (1e6 + 30_000) * prices.dynamoPerMillionRru) / 1e6, 6);
  });

  it('lists landing pages as not measured until the bench has run, and adds nothing for a month without them', () => {
    const unmeasured = monthlyCost({ ...volume(10e6), pageViews: 1_000 }, measured);
    expect(unmeasured.missing.join()).toContain('bench:landing-page');
    expect(monthlyCost(volume(10e6), { ...measured, forms }).items.some((i) => i.item.startsWith('forms'))).toBe(false);
  });
});
