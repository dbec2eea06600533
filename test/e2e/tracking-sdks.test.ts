import Rudder from '@rudderstack/rudder-sdk-node';
import { Analytics as Segment } from '@segment/analytics-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalNurture, startLocal } from '../../local/runtime/runtime.js';

/**
 * The tracking SDKs that DESIGN.md promises work by changing only the host, sending to local mode through
 * its API Gateway: Segment's posts plain JSON, RudderStack's gzips every batch. Each sends identify, track
 * and page, and the events must reach the profile.
 */
let local: LocalNurture;

beforeAll(async () => {
  local = await startLocal({ ports: { api: 0, site: 0, dynamodb: 0, kinesis: 0, s3: 0, ses: 0, eventbridge: 0, sfn: 0, firehose: 0 }, pollIdleMs: 100 });
});
afterAll(async () => local?.stop());

interface ProfileView {
  profile?: { profileId: string; email?: string };
  activity?: { type: string; name?: string; path?: string }[];
}
const profile = async (id: string): Promise<ProfileView> => {
  const res = await fetch(`${local.apiUrl}/v1/admin/profiles/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${local.secrets.adminToken}` } });
  return (await res.json()) as ProfileView;
};
async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read().catch(() => undefined as T);
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)?.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
const landed = (email: string) =>
  until(
    () => profile(`email:${email}`),
    (p) => p.profile?.email === email && ['track', 'page'].every((t) => p.activity?.some((a) => a.type === t)),
    `identify, track and page on ${email}'s profile`,
  );

describe('tracking SDKs against local mode', () => {
  it("RudderStack's Node SDK (gzip bodies) lands identify, track and page on the profile", async () => {
    const statuses: number[] = [];
    const errors: unknown[] = [];
    const client = new Rudder(local.secrets.writeKey, {
      dataPlaneUrl: local.apiUrl,
      flushInterval: 60_000,
      retryCount: 0,
      logLevel: 'error',
      errorHandler: (err: unknown) => void errors.push(err),
      axiosConfig: { validateStatus: (s: number) => (statuses.push(s), s < 300) },
    });
    const email = 'rudder.user@example.com';
    client.identify({ userId: 'rudder-user-1', traits: { email, name: 'Rudder User' } });
    client.track({ userId: 'rudder-user-1', event: 'Product Viewed', properties: { sku: 'insight' } });
    client.page({ userId: 'rudder-user-1', name: 'Pricing', properties: { path: '/pricing.html' } });
    await client.flush();
    expect(errors).toEqual([]);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const lead = await landed(email);
    expect(lead.activity?.find((a) => a.type === 'track')?.name).toBe('Product Viewed');
  });

  it("Segment's Node SDK (plain JSON) lands identify, track and page on the profile", async () => {
    const segment = new Segment({ writeKey: local.secrets.writeKey, host: local.apiUrl, flushInterval: 60_000, maxRetries: 0 });
    const failures: unknown[] = [];
    segment.on('error', (err) => failures.push(err));
    const email = 'segment.user@example.com';
    segment.identify({ userId: 'segment-user-1', traits: { email, name: 'Segment User' } });
    segment.track({ userId: 'segment-user-1', event: 'Product Viewed', properties: { sku: 'forecast' } });
    segment.page({ userId: 'segment-user-1', name: 'Pricing', properties: { path: '/pricing.html' } });
    await segment.closeAndFlush({ timeout: 10_000 });
    expect(failures).toEqual([]);
    const lead = await landed(email);
    expect(lead.activity?.find((a) => a.type === 'track')?.name).toBe('Product Viewed');
  });
});
