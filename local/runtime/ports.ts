import type { EmulatorPorts } from '../emulators/start.js';

/** Ports of local mode: the API, the demo site, and every emulator. */
export interface LocalPorts extends EmulatorPorts {
  api: number;
  site: number;
  eventbridge: number;
  sfn: number;
  firehose: number;
}

/** Ports of `npm start` unless NURTURE_<NAME>_PORT says otherwise (tests pass 0 for ephemeral ports). */
export const defaultPorts: LocalPorts = {
  api: 4000,
  site: 4001,
  dynamodb: 4570,
  kinesis: 4571,
  s3: 4572,
  ses: 4573,
  eventbridge: 4574,
  sfn: 4575,
  firehose: 4576,
};

/** A NURTURE_<NAME>_PORT that is not a port number. */
export class PortSettingError extends Error {
  override name = 'PortSettingError';
}

/** The environment variable that sets one port: NURTURE_API_PORT, NURTURE_DYNAMODB_PORT, … */
export const portVariable = (key: keyof LocalPorts) => `NURTURE_${key.toUpperCase()}_PORT`;

/**
 * Local mode's ports from NURTURE_<NAME>_PORT, defaults for the rest: the one reading of these variables
 * for `npm start`, `npm run demo` and the `nurture` CLI, so all three talk to the same ports.
 */
export function portsFromEnv(env: NodeJS.ProcessEnv = process.env): LocalPorts {
  const ports = { ...defaultPorts };
  for (const key of Object.keys(ports) as (keyof LocalPorts)[]) {
    const value = env[portVariable(key)];
    if (value === undefined || value === '') continue;
    const port = Number(value);
    if (!/^\d+$/.test(value.trim()) || port > 65535) {
      throw new PortSettingError(`${portVariable(key)} must be a port number (0-65535), got "${value}"`);
    }
    ports[key] = port;
  }
  return ports;
}
