import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Environment of the CRM functions in local mode: the inbound HMAC secret (`CRM_SECRET`), generated at
 * first start and kept in the data folder so a configured sender keeps working across restarts.
 * NURTURE_CRM_SECRET overrides it (a comma list during a rotation).
 */
export function crmEnv(dataDir: string): Record<string, string> {
  if (process.env.NURTURE_CRM_SECRET) return { CRM_SECRET: process.env.NURTURE_CRM_SECRET };
  const file = join(dataDir, 'crm.json');
  let secret: string;
  if (existsSync(file)) secret = (JSON.parse(readFileSync(file, 'utf8')) as { crmSecret: string }).crmSecret;
  else {
    secret = randomBytes(32).toString('base64url');
    writeFileSync(file, JSON.stringify({ crmSecret: secret }, null, 2), { mode: 0o600 });
  }
  return { CRM_SECRET: secret };
}
