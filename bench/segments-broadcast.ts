/**
 * Segment email benchmark (issue 13, item 4). Not a test: prints figures and saves them to
 * bench/results/segments-broadcast.json.
 *
 *   npm run bench:broadcast [-- --recipients 1000000 --rate 200 --real 320]
 *
 * 1. A simulated broadcast to `recipients` members at an SES rate of `rate`/s: the real page task logic
 *    (functions/broadcasts/domain/page.ts: paging, pacing, commits, finisher and continuations) runs
 *    against a virtual clock and in-memory members and store, with the send stubbed at the SES boundary
 *    (each send takes `sendMs` of the page's time, 8 at once). Prints the time to the last email against
 *    what the rate alone allows (recipients / rate), the Map iterations' loops and state transitions.
 * 2. DynamoDB units per recipient, measured: a small real broadcast (`real` members) through the real
 *    adapters and send use case against dynalite and the local SES, metered at the IAM check's proxies
 *    (the capacity dynalite reports for every request the broadcastPage role makes).
 */
import { parseArgs } from 'node:util';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { pagePortsFromEnv } from '../functions/broadcasts/adapters/ports.js';
import { DynamoBroadcastStore } from '../functions/broadcasts/adapters/broadcast-store.js';
import { foldResults } from '../functions/broadcasts/domain/results.js';
import { statesPerLoop } from '../functions/broadcasts/domain/asl.js';
import { DynamoMembershipStore } from '../functions/segments/adapters/membership-store.js';
import { memberShard } from '../functions/segments/domain/membership.js';
import { S3TemplateStore } from '../functions/sending/adapters/s3-templates.js';
import { checkStoredTemplate } from '../functions/sending/adapters/template-checker.js';
import { s3Client } from '../functions/shared/aws/s3.js';
import { runAs } from '../local/iam/index.js';
import { dynamoWriteOperations, startMetering } from '../local/iam/meter.js';
import { putProfile, putTemplate } from '../test/helpers/sending.js';
import { startTestAws } from '../test/helpers/local-aws.js';
import { broadcastOf, MemoryBroadcastStore, MemoryMembers, MemorySend, memoryPorts, simulate } from '../test/unit/broadcasts/memory.js';
import { saveResults } from './lib/results.js';

const { values } = parseArgs({
  options: { recipients: { type: 'string', default: '1000000' }, rate: { type: 'string', default: '200' }, sendMs: { type: 'string', default: '40' }, real: { type: 'string', default: '320' } },
});
const recipients = Number(values.recipients);
const rate = Number(values.rate);
const sendMs = Number(values.sendMs);
const realRecipients = Number(values.real);

async function simulated() {
  const clock = { t: Date.parse('2026-12-10T03:00:00Z') };
  const members = new MemoryMembers();
  for (let i = 0; i < recipients; i++) {
    const id = `p${String(i).padStart(8, '0')}`;
    members.add(memberShard(id), id);
  }
  members.sort();
  const store = new MemoryBroadcastStore();
  store.broadcasts.set('b1', broadcastOf({ ratePerSecond: rate, members: recipients }));
  let lastSentAt = 0;
  const send = new MemorySend();
  const { ports } = memoryPorts({ store, members, send, now: () => new Date(clock.t) });
  const stubbed = ports.send;
  // 8 sends at once (broadcastLimits.sendConcurrency): each costs the page sendMs / 8 of its time.
  ports.send = async (input) => {
    clock.t += sendMs / 8;
    lastSentAt = Math.max(lastSentAt, clock.t);
    return stubbed(input);
  };
  const started = clock.t;
  const wall = performance.now();
  const run = await simulate(ports, clock, 'b1');
  const results = foldResults(await store.allShards('b1'), []);
  if (results.sent !== recipients || send.mailed !== recipients) throw new Error(`simulated broadcast sent ${results.sent} (mailed ${send.mailed}) of ${recipients}`);
  const seconds = (lastSentAt - started) / 1000;
  const floor = recipients / rate;
  return { seconds, floor, run, wallMs: performance.now() - wall, commits: store.writes.commits };
}

async function measured() {
  const aws = await startTestAws({
    SENDER_ADDRESS: 'news@acme.example',
    PUBLIC_API_URL: 'https://api.nurture.test',
    LINK_SECRET: 'bench-link-secret-0123456789abcdef0123456789',
    QUIET_HOURS: 'off',
    BROADCAST_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:Nurture-broadcasts',
  });
  try {
    const table = aws.env.TABLE_NAME!;
    await putTemplate(s3Client(), aws.env.CONTENT_BUCKET!, 'news.liquid', '---\nsubject: News\ncategory: marketing\n---\n<p>Hello {{ profile.traits.firstName }}</p><p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>\n');
    await checkStoredTemplate(new S3TemplateStore(s3Client(), aws.env.CONTENT_BUCKET!), 'templates/news.liquid');
    const membership = new DynamoMembershipStore(aws.doc, table);
    for (let i = 0; i < realRecipients; i++) {
      const id = `r${String(i).padStart(5, '0')}`;
      await putProfile(aws.doc, table, { profileId: id, email: `${id}@example.com`, traits: { firstName: id } });
      await membership.apply(id, { type: 'segment.entered', segmentId: 'bench', at: new Date().toISOString() } as never);
    }
    const b = broadcastOf({ id: 'b-bench', segmentId: 'bench', ratePerSecond: 1600, members: realRecipients });
    await aws.doc.send(new PutCommand({ TableName: table, Item: { pk: 'bcast#b-bench', sk: 'bcast', ...b } }));
    const ports = await runAs('broadcastPage', () => pagePortsFromEnv());
    const units = { read: 0, write: 0 };
    const byOperation = new Map<string, number>();
    const stop = startMetering({
      exchange(e) {
        if (e.service !== 'dynamodb' || e.principal !== 'broadcastPage' || e.capacityUnits === undefined) return;
        if (dynamoWriteOperations.has(e.operation)) units.write += e.capacityUnits;
        else units.read += e.capacityUnits;
        byOperation.set(e.operation, (byOperation.get(e.operation) ?? 0) + e.capacityUnits);
      },
    });
    const clock = { t: Date.now() };
    // The real page logic, the same simulated Map around it (no waiting: the rate is high enough for none).
    ports.now = () => new Date(Math.max(clock.t, Date.now()));
    const run = await runAs('broadcastPage', () => simulate(ports, clock, 'b-bench'));
    stop();
    const results = foldResults(await new DynamoBroadcastStore(aws.doc, table).allShards('b-bench'), []);
    if (results.sent !== realRecipients) throw new Error(`real run sent ${results.sent} of ${realRecipients}`);
    return { units, byOperation, loops: run.loops };
  } finally {
    await aws.stop();
  }
}

const sim = await simulated();
const transitionsPerRecipient = sim.run.transitions / recipients;
console.log(`simulated broadcast: ${recipients.toLocaleString()} recipients at ${rate}/s (send ${sendMs} ms, 8 at once), computed in ${(sim.wallMs / 1000).toFixed(1)} s`);
console.log(`  time to last email  ${sim.seconds.toFixed(0)} s  vs  ${sim.floor.toFixed(0)} s the rate alone allows  → ratio ${(sim.seconds / sim.floor).toFixed(3)}`);
console.log(`  page loops          ${sim.run.loops.toLocaleString()} (Map iterations' loops, ${sim.run.executions} executions)`);
console.log(`  state transitions   ${sim.run.transitions.toLocaleString()} (≤ ${statesPerLoop} a loop)  → ${transitionsPerRecipient.toFixed(4)} a recipient`);
const real = await measured();
const perRecipient = { read: real.units.read / realRecipients, write: real.units.write / realRecipients };
console.log(`measured on dynalite: ${realRecipients} recipients, ${real.loops} page loops`);
console.log(`  DynamoDB units per recipient: ${perRecipient.read.toFixed(2)} read, ${perRecipient.write.toFixed(2)} write`);
for (const [op, u] of [...real.byOperation].sort()) console.log(`    ${op.padEnd(16)} ${(u / realRecipients).toFixed(3)} a recipient`);
saveResults('segments-broadcast', {
  recipients,
  ratePerSecond: rate,
  secondsToLastEmail: sim.seconds,
  secondsRateAllows: sim.floor,
  ratioToRate: sim.seconds / sim.floor,
  pageLoops: sim.run.loops,
  executions: sim.run.executions,
  stateTransitions: sim.run.transitions,
  transitionsPerRecipient,
  readUnitsPerRecipient: perRecipient.read,
  writeUnitsPerRecipient: perRecipient.write,
});
process.exit(0);
