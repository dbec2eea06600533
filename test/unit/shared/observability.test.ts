import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MetricUnit, observability } from '../../../functions/shared/observability.js';

const context = {
  functionName: 'quiet',
  awsRequestId: 'req-1',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:quiet',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

/** Everything written to stdout and stderr while `fn` runs. */
async function output(fn: () => Promise<unknown>): Promise<string> {
  const lines: string[] = [];
  const capture = (chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    await fn();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return lines.join('');
}

const original = process.env.POWERTOOLS_METRICS_DISABLED;
afterEach(() => {
  if (original === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
  else process.env.POWERTOOLS_METRICS_DISABLED = original;
});

describe('metrics with POWERTOOLS_METRICS_DISABLED (local mode and tests)', () => {
  it('prints nothing for an invocation that records no metric', async () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    const { middlewares } = observability('quiet');
    const handler = middy(async () => 'ok').use(middlewares);
    const printed = await output(() => handler({}, context));
    expect(printed).not.toContain('No application metrics');
    expect(printed).toBe('');
  });

  it('prints nothing for a batched-metrics function either, with or without metrics', async () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    const { metrics, middlewares, flushNow } = observability('collect', { flushEveryMs: 1 });
    const handler = middy(async (event: { count: number }) => {
      if (event.count) metrics.addMetric('EventsAccepted', MetricUnit.Count, event.count);
      flushNow();
    }).use(middlewares);
    const printed = await output(async () => {
      await handler({ count: 0 }, context);
      await handler({ count: 2 }, context);
    });
    expect(printed).toBe('');
  });
});

describe('metrics when enabled (on AWS)', () => {
  it('still publishes what was recorded, as one EMF line', async () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    const { metrics, middlewares } = observability('sweep');
    const handler = middy(async () => metrics.addMetric('LeadsMadeDormant', MetricUnit.Count, 1)).use(middlewares);
    const printed = await output(() => handler({}, context));
    expect(printed).toContain('"LeadsMadeDormant"');
    expect(printed).toContain('"CloudWatchMetrics"');
  });

  it('publishes nothing, and no warning, for an invocation that records no metric (most admin reads)', async () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    const { middlewares } = observability('empty');
    const handler = middy(async () => 'ok').use(middlewares);
    expect(await output(() => handler({}, context))).toBe('');
  });
});
