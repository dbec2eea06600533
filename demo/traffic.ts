/**
 * `npm run demo`: simulated visitors for a running `npm start` (demo/run-traffic.ts), then what they made
 * happen, read back from Nurture (demo/outcome.ts, demo/summary.ts), and what the event lake's reports say
 * about them (demo/access-logs.ts). The command line only: options, the local secrets, a progress bar.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import { mainTable } from '../functions/shared/resources.js';
import { type LocalPorts, portsFromEnv } from '../local/runtime/ports.js';
import { localName } from '../local/runtime/provision.js';
import { readAccessLogs, waitForLake } from './access-logs.js';
import { formatAttribution, settledAttribution, touchesOf } from './attribution.js';
import { formatImports, importDemoFiles, seminarTouches } from './imports.js';
import { OutcomeReadError, settledOutcome } from './outcome.js';
import { buildDemoModels } from './recommendations.js';
import { demoLimits, runTraffic, TrafficError } from './run-traffic.js';
import { formatAccessLogs, formatSummary, personaLine, scenarioNotes } from './summary.js';

/** Longest wait for the numbers to settle after the last visitor (seconds; --wait), and its upper bound. */
export const defaultSettleSeconds = 60;
export const maxSettleSeconds = 3_600;
/** How long the first request may take before the demo says Nurture is not answering. */
export const probeTimeoutMs = 15_000;
/** Shoppers of the demo shop a run sends besides the visitors (--shoppers): each planted pair ~7 orders. */
export const defaultShoppers = 120;
/** The main table of local mode. */
const localTable = localName(mainTable.id);

let ports: LocalPorts;
try {
  // The same NURTURE_<NAME>_PORT settings as npm start, so the demo finds the API and inbox it started.
  ports = portsFromEnv();
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    visitors: { type: 'string', default: '300' },
    // The demo shop's customers (personas.ts shopper): enough for every planted pair to be ordered often.
    shoppers: { type: 'string', default: String(defaultShoppers) },
    rate: { type: 'string', default: '25' },
    // A new crowd each run unless --seed repeats one (the same seed brings the same people back).
    seed: { type: 'string', default: String(1 + Math.floor(Math.random() * (2 ** 31 - 2))) },
    wait: { type: 'string', default: String(defaultSettleSeconds) },
    api: { type: 'string', default: process.env.NURTURE_API_URL ?? `http://127.0.0.1:${ports.api}` },
    inbox: { type: 'string', default: `http://127.0.0.1:${ports.ses}` },
    'write-key': { type: 'string' },
    'admin-token': { type: 'string' },
    'data-dir': { type: 'string', default: process.env.NURTURE_DATA_DIR ?? join(process.cwd(), '.nurture', 'data') },
  },
});

/** A whole-number option within bounds, or a message naming it and exit 2. */
function wholeNumber(name: 'visitors' | 'shoppers' | 'rate' | 'seed' | 'wait', min: number, max: number): number {
  const raw = values[name]!;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < min || n > max) {
    console.error(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
    process.exit(2);
  }
  return n;
}
const visitors = wholeNumber('visitors', 1, demoLimits.visitors);
const shoppers = wholeNumber('shoppers', 0, demoLimits.shoppers);
const rate = wholeNumber('rate', 1, demoLimits.rate);
const seed = wholeNumber('seed', 1, 2 ** 31 - 1);
const maxWaitMs = wholeNumber('wait', 0, maxSettleSeconds) * 1000;

const secretsFile = join(values['data-dir']!, 'local.json');
const secrets = existsSync(secretsFile) ? (JSON.parse(readFileSync(secretsFile, 'utf8')) as { writeKey: string; adminToken: string }) : undefined;
const writeKey = values['write-key'] ?? secrets?.writeKey;
const adminToken = values['admin-token'] ?? secrets?.adminToken;
if (!writeKey) {
  console.error(`No write key: start Nurture first (npm start), or pass --write-key (looked in ${secretsFile}).`);
  process.exit(2);
}
const apiUrl = values.api!.replace(/\/$/, '');
try {
  await fetch(`${apiUrl}/v1/batch`, { method: 'OPTIONS', signal: AbortSignal.timeout(probeTimeoutMs) });
} catch {
  console.error(`Nurture is not answering at ${apiUrl} (waited ${probeTimeoutMs / 1000} s): start it with npm start, wait for "Press Ctrl-C to stop.", or pass --api.`);
  process.exit(1);
}

const bar = new SingleBar({ format: 'Simulating visitors [{bar}] {value}/{total} | {persona}', hideCursor: true }, Presets.shades_classic);
bar.start(visitors + shoppers, 0, { persona: '' });
let traffic;
try {
  traffic = await runTraffic({ apiUrl, writeKey, visitors, shoppers, rate, seed, onVisitor: (persona) => bar.increment(1, { persona }) });
} catch (err) {
  bar.stop();
  console.error(err instanceof TrafficError ? err.message : err);
  process.exit(1);
}
bar.stop();
console.log(`\n${traffic.visitors} visitors (--seed ${seed}, ${traffic.events} events): ${personaLine(traffic)}.`);

if (!adminToken) {
  console.log('No admin token (pass --admin-token, or --data-dir of the npm start): nothing to read back.');
  process.exit(0);
}
console.log(`Scoring, scenarios and mail run in the background now; reading back what happened (at most ${maxWaitMs / 1000} s)…\n`);

const notes = scenarioNotes(process.env.NURTURE_SCENARIOS_DIR ?? join(process.cwd(), 'statemachines'));
const source = { apiUrl, adminToken, inboxUrl: values.inbox!, since: traffic.startedAt, recipients: traffic.emails };
// The lake of the npm start whose data folder this is; `nurture analytics` finds it without --lake when it
// is where that command looks by default (LAKE_DIR, else <NURTURE_DATA_DIR or .nurture/data>/lake).
const lakeDir = join(values['data-dir']!, 'lake');
const cliLakeDir = process.env.LAKE_DIR ?? join(process.env.NURTURE_DATA_DIR ?? join(process.cwd(), '.nurture', 'data'), 'lake');
try {
  const outcome = await settledOutcome(source, maxWaitMs);
  console.log(formatSummary(outcome, { apiUrl, inboxUrl: values.inbox!, notes }));
  const lake = await waitForLake(lakeDir, traffic);
  const logs = await readAccessLogs({ apiUrl, adminToken }, traffic);
  const lakeOption = resolve(lakeDir) === resolve(cliLakeDir) ? '' : ` --lake ${lakeDir}`;
  console.log(`\n${formatAccessLogs(logs, lake, { apiUrl, lakeOption })}`);
  if (shoppers > 0) {
    // The shop's models now rather than at local mode's next timer (every 10 min), from the whole lake.
    const built = await buildDemoModels({ lakeDir, dynamodbEndpoint: `http://127.0.0.1:${ports.dynamodb}`, tableName: localTable });
    const f = built.figures;
    console.log(
      `\nShop: ${shoppers} shoppers ordered; the recommendation models learnt ${f.boughtPairs} pairs bought together from ${f.boughtBaskets} orders ` +
        `(${f.lists['bought-together']} products with "Customers also bought"). See them at http://127.0.0.1:${ports.site}/shop/ ` +
        `(a product page's "Customers also bought"); rebuild after more traffic with: npm run nurture -- recommendations build${lakeOption}`,
    );
  }
  // What the campaigns cost and brought: the demo's spend and a seminar's attendees, imported, then the
  // attribution report once the seminar's touches are in the lake.
  const imports = await importDemoFiles({ apiUrl, adminToken }, traffic, join(values['data-dir']!, 'demo'));
  const seminarRows = seminarTouches(traffic);
  const attribution = await settledAttribution({ apiUrl, adminToken }, (r) => touchesOf(r, 'seminar') >= seminarRows);
  console.log(`\n${formatImports(imports)}\n\n${formatAttribution(attribution)}`);
} catch (err) {
  // A wrong admin token (401) or a Nurture that stopped: say so rather than print numbers not read.
  console.error(`Could not read back what happened: ${err instanceof OutcomeReadError ? err.message : String(err)}`);
  process.exit(1);
}
