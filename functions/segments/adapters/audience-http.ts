/** The one HTTP call both audience adapters make, with the platform's failures as AudienceSyncError. */
import { AudienceSyncError, type HttpTransport } from '../domain/audience-sync.js';
import type { AudiencePlatform } from '../domain/audience-normalize.js';

/** Sends one request and turns a non-2xx answer or a transport failure into an AudienceSyncError. */
export async function send(
  transport: HttpTransport,
  platform: AudiencePlatform,
  url: string,
  init: Parameters<HttpTransport>[1],
): Promise<string> {
  let res: Awaited<ReturnType<HttpTransport>>;
  try {
    res = await transport(url, init);
  } catch (err) {
    // No HTTP answer: the batch may or may not have landed. Both platforms de-duplicate members, so
    // sending it again is safe.
    throw new AudienceSyncError(`${platform}: no answer from ${url}`, platform, true, undefined, { cause: err });
  }
  const body = await res.text();
  if (res.status >= 200 && res.status < 300) return body;
  const retryable = res.status === 429 || res.status >= 500;
  // The platform's error text names the bad field; it never holds the identifiers (they are hashed).
  throw new AudienceSyncError(`${platform}: HTTP ${res.status} from ${url}: ${body.slice(0, 500)}`, platform, retryable, res.status);
}
