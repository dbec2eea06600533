/**
 * Write keys: how a request names its source, and the check every public route makes (collect, and the
 * recommendations and personalize routes). Kept apart from ingest.ts so a reader route bundles only this.
 */
import { UnauthorizedError } from '../errors.js';

/** Segment sends the write key as the Basic auth user name with an empty password; browsers in the body or query. */
export function writeKeyOf(authorization: string | undefined, bodyKey: unknown): string | undefined {
  const basic = authorization && /^Basic\s+(.+)$/i.exec(authorization.trim());
  if (basic?.[1]) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const user = decoded.split(':')[0];
    if (user) return user;
  }
  return typeof bodyKey === 'string' && bodyKey ? bodyKey : undefined;
}

/** The request's write key, or a 401 naming `writeKey` when it is missing or unknown. */
export function requireWriteKey(authorization: string | undefined, bodyKey: unknown, writeKeys: ReadonlySet<string>): string {
  const writeKey = writeKeyOf(authorization, bodyKey);
  if (!writeKey) throw new UnauthorizedError('write key missing: use HTTP Basic auth (key as user name) or "writeKey"');
  if (!writeKeys.has(writeKey)) throw new UnauthorizedError('unknown write key');
  return writeKey;
}
