import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snippet } from '../../tracker/snippet.js';
import { browserUserAgent } from '../helpers/api-event.js';
import { launchChromium } from '../helpers/browser.js';

/**
 * A site and its landing pages on a subdomain (`www.example.test`, `lp.example.test`, the API mapped to a
 * custom domain under the site's) share one anonymous visitor when the tracker is given `cookieDomain`, so
 * the history on the site is the same person's as the form on the landing page. Served by Chromium's
 * request interception: no network, no local mode.
 */
const tracker = readFileSync(new URL('../../tracker/dist/nurture.min.js', import.meta.url), 'utf8');
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const page = (cookieDomain?: string) =>
  `<!doctype html><html lang="en"><head><title>t</title>${snippet({ api: 'https://api.example.test', writeKey: 'wk_test_key', src: 'https://www.example.test/nurture.min.js', ...(cookieDomain ? { cookieDomain } : {}) })}</head><body>hi</body></html>`;

async function visit(cookieDomain?: string): Promise<{ site?: string; landing?: string; domain?: string }> {
  const context = await browser.newContext({ userAgent: browserUserAgent });
  await context.route('https://api.example.test/**', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: '{"success":true}', headers: { 'access-control-allow-origin': '*' } }));
  await context.route('https://www.example.test/nurture.min.js', (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: tracker }));
  await context.route(/https:\/\/(www|lp)\.example\.test\/(?!nurture)/, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: page(cookieDomain) }));
  const tab = await context.newPage();
  const aid = async () => (await tab.waitForFunction(() => document.cookie.match(/nurture_aid=([^;]+)/)?.[1])).jsonValue();
  await tab.goto('https://www.example.test/pricing');
  const site = await aid();
  await tab.goto('https://lp.example.test/p/brochure');
  const landing = await aid();
  const domain = (await context.cookies('https://www.example.test')).find((c) => c.name === 'nurture_aid')?.domain;
  await context.close();
  return { site, landing, domain };
}

describe('the tracker cookie across a site and its landing page subdomain', () => {
  it('is one visitor with cookieDomain, two without', async () => {
    const shared = await visit('.example.test');
    expect(shared.domain).toBe('.example.test');
    expect(shared.landing).toBe(shared.site);

    const separate = await visit();
    expect(separate.domain).toBe('www.example.test');
    expect(separate.landing).not.toBe(separate.site);
  });
});
