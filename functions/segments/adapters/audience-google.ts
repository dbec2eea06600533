/**
 * AudienceSync for Google Customer Match through the Data Manager API, Google's current path: from
 * 1 April 2026 the Google Ads API (OfflineUserDataJobService) no longer takes new Customer Match
 * adopters (https://developers.google.com/ads/blog/posts/2026/03/changes-to-customer-match-support-in).
 * - add: `POST https://datamanager.googleapis.com/v1/audienceMembers:ingest`, remove: `…:remove`
 *   (https://developers.google.com/data-manager/api/reference/rest/v1/audienceMembers/ingest), body
 *   `{destinations, audienceMembers: [{userData: {userIdentifiers}}], consent, encoding: "HEX",
 *   termsOfService}`; one identifier per UserIdentifier (emailAddress, phoneNumber, address).
 * - At most googleBatchMembers members a request (the documented 10,000).
 * - No replace: the Data Manager API has no "remove all"; keep the list current with add/remove from
 *   segment.entered/exited, or set a membership duration on the list in Google Ads.
 */
import type { AudienceProfile, HashedIdentifiers } from '../domain/audience.js';
import {
  type AudienceSync,
  AudienceSyncError,
  batches,
  type HttpTransport,
  prepareMembers,
  type SyncResult,
} from '../domain/audience-sync.js';
import { send } from './audience-http.js';

/** "At most 10000 AudienceMember resources can be sent in a single request." */
export const googleBatchMembers = 10_000;
export const dataManagerBase = 'https://datamanager.googleapis.com/v1';

export interface GoogleAudienceConfig {
  /** The Google Ads customer id that owns the Customer Match list (digits, no dashes). */
  customerId: string;
  /** A manager account the credentials act through, when not the customer itself. */
  loginCustomerId?: string;
  /** OAuth access token with the https://www.googleapis.com/auth/datamanager scope. */
  accessToken: () => Promise<string>;
  defaultCountry: string;
  transport: HttpTransport;
  baseUrl?: string;
}

type UserIdentifier =
  | { emailAddress: string }
  | { phoneNumber: string }
  | { address: { givenName: string; familyName: string; regionCode: string; postalCode: string } };

/** The UserIdentifiers of one member, in the order email, phone, address. */
export function googleIdentifiers(m: HashedIdentifiers): UserIdentifier[] {
  const out: UserIdentifier[] = [];
  if (m.email) out.push({ emailAddress: m.email });
  if (m.phone) out.push({ phoneNumber: m.phone });
  if (m.firstName && m.lastName && m.country && m.zip) {
    out.push({ address: { givenName: m.firstName, familyName: m.lastName, regionCode: m.country, postalCode: m.zip } });
  }
  return out;
}

export class GoogleAudienceSync implements AudienceSync {
  readonly platform = 'google' as const;
  readonly canReplace = false;

  constructor(private readonly config: GoogleAudienceConfig) {
    if (!/^\d{1,20}$/u.test(config.customerId)) throw new AudienceSyncError('google: customerId must be digits without dashes', 'google', false);
  }

  add(audienceId: string, members: readonly AudienceProfile[]): Promise<SyncResult> {
    return this.call('ingest', audienceId, members);
  }

  remove(audienceId: string, members: readonly AudienceProfile[]): Promise<SyncResult> {
    return this.call('remove', audienceId, members);
  }

  replace(): Promise<SyncResult> {
    return Promise.reject(
      new AudienceSyncError('google: the Data Manager API cannot replace a list; use add and remove', 'google', false),
    );
  }

  /** The documented request body for one batch. */
  body(method: 'ingest' | 'remove', audienceId: string, ids: readonly HashedIdentifiers[]): Record<string, unknown> {
    const destination = {
      operatingAccount: { accountType: 'GOOGLE_ADS', accountId: this.config.customerId },
      ...(this.config.loginCustomerId ? { loginAccount: { accountType: 'GOOGLE_ADS', accountId: this.config.loginCustomerId } } : {}),
      productDestinationId: audienceId,
    };
    const audienceMembers = ids.map((m) => ({ userData: { userIdentifiers: googleIdentifiers(m) } }));
    if (method === 'remove') return { destinations: [destination], audienceMembers, encoding: 'HEX' };
    return {
      destinations: [destination],
      audienceMembers,
      // Only members with advertising consent are sent (prepareMembers), so both grants are true of each.
      consent: { adUserData: 'CONSENT_GRANTED', adPersonalization: 'CONSENT_GRANTED' },
      encoding: 'HEX',
      termsOfService: { customerMatchTermsOfServiceStatus: 'ACCEPTED' },
    };
  }

  private async call(method: 'ingest' | 'remove', audienceId: string, members: readonly AudienceProfile[]): Promise<SyncResult> {
    if (!/^\d{1,32}$/u.test(audienceId)) throw new AudienceSyncError(`google: audience id must be numeric, got "${audienceId}"`, 'google', false);
    const { ids, skipped } = prepareMembers(members, 'google', this.config, method === 'ingest');
    const parts = batches(ids, googleBatchMembers);
    const url = `${this.config.baseUrl ?? dataManagerBase}/audienceMembers:${method}`;
    for (const part of parts) {
      const token = await this.config.accessToken();
      await send(this.config.transport, 'google', url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(this.body(method, audienceId, part)),
      });
    }
    return { sent: ids.length, skipped, requests: parts.length };
  }
}
