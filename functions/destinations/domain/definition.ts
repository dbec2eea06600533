/**
 * A destination definition: where chosen domain events go and how (the YAML an operator writes to
 * `destinations/<id>.yaml` in the content bucket). Pure: zod, no I/O; presets.ts renders the requests.
 *
 * ```yaml
 * preset: salesforce
 * endpoint: https://acme.my.salesforce.com      # the instance URL
 * auth: { type: oauth-client-credentials, secretName: nurture/salesforce }
 * events:
 *   - { type: lead.stage_changed, filter: { to: [mql, sql] } }
 *   - lead.handoff
 * mapping: { externalIdField: Nurture_Id__c }
 * rateLimitPerSecond: 10
 * ```
 */
import * as z from 'zod/mini';
import { formIdPattern } from '../../forms/domain/definition.js';
import { lifecycleStates, stages } from '../../profiles/domain/profile.js';

/** Bounds of destinations (named in the README's CRM section). */
export const destinationLimits = {
  /** Destinations in one deployment. */
  destinations: 20,
  /** Event types one destination receives. */
  eventTypes: 10,
  /** Segment ids one filter names. */
  filterSegments: 20,
  /** Invocations per second, default and bounds: an EventBridge API destination's InvocationRateLimitPerSecond (1-300). */
  rateLimitDefault: 10,
  rateLimitMin: 1,
  rateLimitMax: 300,
  /** Longest endpoint URL (characters). */
  endpointChars: 500,
} as const;

/** Destination ids (and file names `destinations/<id>.yaml`): the same form as form ids. */
export const destinationIdPattern = formIdPattern;

/** The destination presets: one request shape each (presets.ts). */
export const presetNames = ['salesforce', 'hubspot', 'kintone', 'slack', 'webhook'] as const;
export type PresetName = (typeof presetNames)[number];

/** The domain events (detail-types of functions/shared/domain-events.ts) a destination may receive. */
export const destinationEventTypes = ['lead.identified', 'lead.stage_changed', 'lead.handoff', 'lead.lifecycle_changed', 'segment.entered', 'segment.exited'] as const;
export type DestinationEventType = (typeof destinationEventTypes)[number];

/** The connection's authorization: an EventBridge connection's kinds; the secret lives in Secrets Manager. */
export const authTypes = ['api-key', 'basic', 'oauth-client-credentials', 'none'] as const;
export type AuthType = (typeof authTypes)[number];

/** Secrets Manager names: letters, digits and /_+=.@- (AWS's own rule), at most 512. */
const secretNamePattern = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
/** Salesforce API names (`Nurture_Id__c`, `Company`). */
const salesforceFieldPattern = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;
/** HubSpot internal property names (`nurture_score`). */
const hubspotPropertyPattern = /^[a-z][a-z0-9_]{0,99}$/;
/** kintone field codes: 1-128 characters, no spaces or symbols other than _ (Japanese letters allowed). */
const kintoneFieldPattern = /^[^\s!-/:-@[-^`{-~]{1,128}$/u;

const filterSchema = z.strictObject({
  /** lead.stage_changed / lead.lifecycle_changed: only changes to (or from) these values. */
  to: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(40))).check(z.minLength(1))),
  from: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(40))).check(z.minLength(1))),
  /** segment.entered / segment.exited: only these segments. */
  segments: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(64))).check(z.minLength(1), z.maxLength(destinationLimits.filterSegments))),
});
export type EventFilter = z.infer<typeof filterSchema>;

const eventSchema = z.union([z.enum(destinationEventTypes), z.strictObject({ type: z.enum(destinationEventTypes), filter: z.optional(filterSchema) })]);

const authSchema = z.strictObject({
  type: z.enum(authTypes),
  /** The Secrets Manager secret holding the credentials (never the credentials themselves). */
  secretName: z.optional(z.string().check(z.regex(secretNamePattern, 'a Secrets Manager name: letters, digits and /_+=.@-'))),
});

const mappings = {
  salesforce: z.strictObject({
    /** The Lead's external id field the upsert keys on; it holds the Nurture profile id. */
    externalIdField: z._default(z.string().check(z.regex(salesforceFieldPattern, 'a Salesforce field API name')), 'Nurture_Id__c'),
    /** LeadSource value (default Nurture). */
    leadSource: z._default(z.string().check(z.minLength(1), z.maxLength(40)), 'Nurture'),
    /** Field names for the company, the score and the reason (defaults Company, none, Description). */
    companyField: z._default(z.string().check(z.regex(salesforceFieldPattern, 'a Salesforce field API name')), 'Company'),
    scoreField: z.optional(z.string().check(z.regex(salesforceFieldPattern, 'a Salesforce field API name'))),
    descriptionField: z._default(z.string().check(z.regex(salesforceFieldPattern, 'a Salesforce field API name')), 'Description'),
  }),
  hubspot: z.strictObject({
    /** Custom contact properties for the score and the hand-off reason (none by default). */
    scoreProperty: z.optional(z.string().check(z.regex(hubspotPropertyPattern, 'a HubSpot internal property name'))),
    reasonProperty: z.optional(z.string().check(z.regex(hubspotPropertyPattern, 'a HubSpot internal property name'))),
    /** Whether to set lifecyclestage from the Nurture stage (default true). */
    lifecycleStage: z._default(z.boolean(), true),
  }),
  kintone: z.strictObject({
    /** The app id (the number in /k/<app>/). */
    app: z.int().check(z.positive()),
    /** Field codes by Nurture value; values left out are not written. */
    fields: z.strictObject({
      email: z.optional(z.string().check(z.regex(kintoneFieldPattern, 'a kintone field code'))),
      name: z.optional(z.string().check(z.regex(kintoneFieldPattern, 'a kintone field code'))),
      company: z.optional(z.string().check(z.regex(kintoneFieldPattern, 'a kintone field code'))),
      stage: z.optional(z.string().check(z.regex(kintoneFieldPattern, 'a kintone field code'))),
      score: z.optional(z.string().check(z.regex(kintoneFieldPattern, 'a kintone field code'))),
      reason: z.optional(z.string().check(z.regex(kintoneFieldPattern, 'a kintone field code'))),
      event: z.optional(z.string().check(z.regex(kintoneFieldPattern, 'a kintone field code'))),
      occurredAt: z.optional(z.string().check(z.regex(kintoneFieldPattern, 'a kintone field code'))),
      leadUrl: z.optional(z.string().check(z.regex(kintoneFieldPattern, 'a kintone field code'))),
    }),
  }),
  slack: z.strictObject({
    /** A heading above every message (default "Nurture"). */
    title: z._default(z.string().check(z.minLength(1), z.maxLength(100)), 'Nurture'),
  }),
  webhook: z.strictObject({
    /** Secrets Manager secret of the HMAC signing key (signature.ts); the receiver holds the same key. */
    signingSecretName: z.string().check(z.regex(secretNamePattern, 'a Secrets Manager name: letters, digits and /_+=.@-')),
  }),
};

const common = {
  /** Where requests go: an https URL (salesforce: the instance URL; kintone: https://<subdomain>.cybozu.com). */
  endpoint: z.string().check(z.maxLength(destinationLimits.endpointChars), z.regex(/^https:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, 'an https:// URL without query or fragment')),
  auth: authSchema,
  events: z.array(eventSchema).check(z.minLength(1), z.maxLength(destinationLimits.eventTypes)),
  rateLimitPerSecond: z._default(z.int().check(z.minimum(destinationLimits.rateLimitMin), z.maximum(destinationLimits.rateLimitMax)), destinationLimits.rateLimitDefault),
  enabled: z._default(z.boolean(), true),
};

/** The document of `destinations/<id>.yaml`. */
export const destinationSchema = z
  .discriminatedUnion('preset', [
    // A mapping whose every field has a default may be left out (prefault: {} is parsed, defaults filled).
    z.strictObject({ ...common, preset: z.literal('salesforce'), mapping: z.prefault(mappings.salesforce, {}) }),
    z.strictObject({ ...common, preset: z.literal('hubspot'), mapping: z.prefault(mappings.hubspot, {}) }),
    z.strictObject({ ...common, preset: z.literal('kintone'), mapping: mappings.kintone }),
    z.strictObject({ ...common, preset: z.literal('slack'), mapping: z.prefault(mappings.slack, {}) }),
    z.strictObject({ ...common, preset: z.literal('webhook'), mapping: mappings.webhook }),
  ])
  .check(
    z.superRefine(
      (d, ctx) => {
        const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', message, path, input: undefined });
        if (d.auth.type === 'none' && d.auth.secretName) issue(['auth', 'secretName'], 'auth type none takes no secret');
        if (d.auth.type !== 'none' && !d.auth.secretName) issue(['auth', 'secretName'], `auth type ${d.auth.type} needs the Secrets Manager name of its credentials`);
        if (d.preset === 'salesforce' && d.auth.type !== 'oauth-client-credentials') issue(['auth', 'type'], 'Salesforce takes oauth-client-credentials (a connected app)');
        if (d.preset === 'slack' && !d.endpoint.startsWith('https://hooks.slack.com/')) issue(['endpoint'], 'a Slack incoming webhook URL (https://hooks.slack.com/…)');
        if (d.preset === 'kintone' && !/^https:\/\/[a-z0-9-]+\.(cybozu\.com|kintone\.com|cybozu\.cn)$/.test(d.endpoint)) issue(['endpoint'], 'the kintone base URL, e.g. https://example.cybozu.com (no path)');
        const kintoneFields = d.preset === 'kintone' ? (d.mapping as { fields?: unknown } | undefined)?.fields : undefined;
        if (kintoneFields && typeof kintoneFields === 'object' && Object.keys(kintoneFields).length === 0) issue(['mapping', 'fields'], 'name at least one field code');
        const seen = new Map<string, number>();
        d.events.forEach((e, i) => {
          // This check runs on documents with other problems too: an entry may be anything.
          if (typeof e !== 'string' && (typeof e !== 'object' || e === null || typeof e.type !== 'string')) return;
          const type = typeof e === 'string' ? e : e.type;
          if (seen.has(type)) issue(['events', i], `${type} is also events[${seen.get(type)}]`);
          else seen.set(type, i);
          const filter = typeof e === 'string' ? undefined : e.filter;
          if (!filter) return;
          const changes = type === 'lead.stage_changed' || type === 'lead.lifecycle_changed';
          if ((filter.to || filter.from) && !changes) issue(['events', i, 'filter'], `to/from filter ${type === 'lead.handoff' ? 'nothing on' : 'only'} lead.stage_changed and lead.lifecycle_changed`);
          if (filter.segments && !type.startsWith('segment.')) issue(['events', i, 'filter', 'segments'], 'segments filter only segment.entered and segment.exited');
          if (changes) {
            const allowed: readonly string[] = type === 'lead.stage_changed' ? stages : lifecycleStates;
            for (const key of ['to', 'from'] as const) {
              (filter[key] ?? []).forEach((v, j) => {
                if (!allowed.includes(v)) issue(['events', i, 'filter', key, j], `"${v}" is not one of ${allowed.join(', ')}`);
              });
            }
          }
        });
      },
      {
        // Runs despite other problems (one upload reports them all), but only on a value it can read.
        when: (payload) => {
          const v = payload.value as { auth?: unknown; events?: unknown; endpoint?: unknown } | null;
          return typeof v === 'object' && v !== null && typeof v.auth === 'object' && v.auth !== null && typeof v.endpoint === 'string' && Array.isArray(v.events);
        },
      },
    ),
  );

export type DestinationInput = z.input<typeof destinationSchema>;
/** A checked definition with its id. */
export type DestinationDefinition = z.output<typeof destinationSchema> & { id: string };

/** An entry of `events` as a type and its filter. */
export function eventEntry(e: DestinationDefinition['events'][number]): { type: DestinationEventType; filter?: EventFilter } {
  return typeof e === 'string' ? { type: e } : e;
}

/** Problems of a deployment's set of destination ids (count and form), each naming its file. */
export function destinationSetProblems(ids: readonly string[]): { field: string; message: string }[] {
  const problems = ids.filter((id) => !destinationIdPattern.test(id)).map((id) => ({ field: `destinations/${id}.yaml`, message: 'destination ids are 1-64 chars of a-z, 0-9, _ and -' }));
  if (ids.length > destinationLimits.destinations) problems.push({ field: 'destinations', message: `at most ${destinationLimits.destinations} destinations (found ${ids.length})` });
  return problems;
}
