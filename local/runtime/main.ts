import { join } from 'node:path';
import { PortInUseError } from '../emulators/start.js';
import { repoRoot } from './context.js';
import { portsFromEnv, PortSettingError } from './ports.js';
import { startLocal } from './runtime.js';

/** `npm start`: Nurture on this machine, data kept in NURTURE_DATA_DIR (default .nurture/data). */
const started = Date.now();
try {
  const timeScale = Number(process.env.NURTURE_TIME_SCALE ?? '1');
  if (!(timeScale >= 1)) {
    console.error(`NURTURE_TIME_SCALE must be a number ≥ 1 (simulated seconds per real second), got "${process.env.NURTURE_TIME_SCALE}"`);
    process.exit(2);
  }
  const local = await startLocal({
    timeScale,
    ports: portsFromEnv(),
    dataDir: process.env.NURTURE_DATA_DIR ?? join(repoRoot, '.nurture', 'data'),
  });
  const e = local.emulators.endpoints;
  console.log(
    [
      `Nurture is running locally (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
      `API:          ${local.apiUrl}`,
      `Demo site:    ${local.siteUrl}`,
      `Write key:    ${local.secrets.writeKey}`,
      `Admin token:  ${local.secrets.adminToken}`,
      `CRM secret:   ${local.env.CRM_SECRET}`,
      `SES inbox:    ${local.inboxUrl}`,
      `DynamoDB:     ${e.dynamodb}`,
      `Kinesis:      ${e.kinesis}`,
      `S3:           ${e.s3}`,
      `SES v2:       ${e.ses}`,
      ...Object.entries(local.extraEndpoints).map(([name, url]) => `${`${name}:`.padEnd(14)}${url}`),
      `(AWS SDK/CLI: region ${local.emulators.region}, access key ${local.emulators.credentials.accessKeyId}, secret ${local.emulators.credentials.secretAccessKey})`,
      'Press Ctrl-C to stop.',
    ].join('\n'),
  );
  // Lead lifecycle events as they happen, so a person trying the demo sees a lead qualify.
  local.bus.onEvent((e) => {
    if (!e['detail-type'].startsWith('lead.')) return;
    const d = e.detail as { profileId: string; from?: string; to?: string; email?: string; score?: number; mergedProfileId?: string };
    const what =
      e['detail-type'] === 'lead.stage_changed'
        ? `${d.from} → ${d.to} (score ${d.score})`
        : e['detail-type'] === 'lead.identified'
          ? `${d.email ?? ''}`
          : e['detail-type'] === 'lead.merged'
            ? `absorbed ${d.mergedProfileId}`
            : '';
    console.log(`[event] ${e['detail-type']} ${d.profileId} ${what}`);
  });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping Nurture…`);
    await local.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
} catch (err) {
  if (err instanceof PortSettingError) {
    console.error(err.message);
    process.exit(2);
  }
  if (err instanceof PortInUseError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
