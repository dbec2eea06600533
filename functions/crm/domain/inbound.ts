/**
 * Inbound CRM events (`POST /v1/crm/events`): what a sales tool tells Nurture about a lead, and what that
 * does to the lead, as data. Pure: zod, no I/O. The route checks the signature first (signature.ts), then
 * parses the body here, guards the id (inboundReplayKey), and applies inboundEffects through the events
 * stream like any other event, so scoring rules, scenario goals and the timeline see it.
 *
 * ```json
 * { "id": "evt_0001", "type": "deal_won", "occurredAt": "2026-12-01T09:00:00Z",
 *   "contact": { "email": "ken@example.co.jp", "crmId": "00Q5g00000AbCdE" },
 *   "amount": 1200000, "currency": "JPY", "opportunityId": "006xx" }
 * ```
 */
import * as z from 'zod/mini';
import { normalizeEmail } from '../../identity/domain/keys.js';
import { currencyPattern } from '../../channels/domain/cost-csv.js';
import { traitNamePattern } from '../../forms/domain/definition.js';
import type { Stage } from '../../profiles/domain/profile.js';
import { checkSchema, type Problem } from '../../shared/validation.js';

/** Bounds of an inbound event (named in the README's CRM section). */
export const inboundLimits = {
  /** Largest request body (bytes): an event is a few hundred bytes; traits make the rest. */
  bodyBytes: 16 * 1024,
  /** Longest event id (characters): the sender's unique id, kept for replay protection. */
  idChars: 128,
  /** Longest CRM record id (contact, lead or opportunity). */
  crmIdChars: 128,
  /** Longest deal_lost reason (characters). */
  reasonChars: 500,
  /** Longest free-text CRM stage (characters). */
  stageChars: 100,
  /** Most traits one contact_updated may set. */
  traits: 50,
  /** Longest string trait value (characters). */
  traitValueChars: 1000,
} as const;

/** The event types a CRM may send. */
export const inboundTypes = ['opportunity_created', 'deal_won', 'deal_lost', 'contact_updated'] as const;
export type InboundType = (typeof inboundTypes)[number];

/** Track event names the inbound types become (scoring rules and scenario goals match on them). */
export const inboundEventNames = {
  opportunity_created: 'CRM Opportunity Created',
  deal_won: 'CRM Deal Won',
  deal_lost: 'CRM Deal Lost',
} as const;

/** The `source` of the events inbound CRM updates make. */
export const inboundSource = 'nurture-crm';

const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));
const email = z.string().check(z.refine((v) => normalizeEmail(v) !== undefined, 'not a valid email address'));

const contactSchema = z
  .strictObject({ email: z.optional(email), crmId: z.optional(text(inboundLimits.crmIdChars)) })
  .check(z.refine((c) => c.email !== undefined || c.crmId !== undefined, 'needs email or crmId (or both) to find the lead'));

const common = {
  id: text(inboundLimits.idChars),
  occurredAt: z.iso.datetime({ offset: true }),
  contact: contactSchema,
  opportunityId: z.optional(text(inboundLimits.crmIdChars)),
  stage: z.optional(text(inboundLimits.stageChars)),
};

const traitValue = z.union([z.string().check(z.maxLength(inboundLimits.traitValueChars)), z.number().check(z.refine(Number.isFinite, 'a finite number')), z.boolean(), z.null()]);
const traitsSchema = z
  .record(z.string().check(z.regex(traitNamePattern, 'trait names are 1-64 chars of letters, digits and _, starting with a letter')), traitValue)
  .check(z.refine((t) => Object.keys(t).length <= inboundLimits.traits, `at most ${inboundLimits.traits} traits`));

/** The body of `POST /v1/crm/events`: one event, its fields by type. */
export const inboundEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...common, type: z.literal('opportunity_created') }),
  z.strictObject({
    ...common,
    type: z.literal('deal_won'),
    amount: z.optional(z.number().check(z.minimum(0), z.refine(Number.isFinite, 'a finite number'))),
    currency: z.optional(z.string().check(z.regex(currencyPattern, 'an ISO 4217 code in capitals, e.g. JPY'))),
  }),
  z.strictObject({ ...common, type: z.literal('deal_lost'), reason: z.optional(text(inboundLimits.reasonChars)) }),
  z.strictObject({ ...common, type: z.literal('contact_updated'), traits: z.optional(traitsSchema) }),
]);
export type InboundEvent = z.infer<typeof inboundEventSchema>;

/** Parses a raw request body: the event, or every problem naming its field (`contact.email`, `amount`). */
export function parseInboundEvent(raw: string): { data: InboundEvent; problems: [] } | { data?: undefined; problems: Problem[] } {
  if (Buffer.byteLength(raw, 'utf8') > inboundLimits.bodyBytes) return { problems: [{ field: '(body)', message: `larger than ${inboundLimits.bodyBytes} bytes` }] };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { problems: [{ field: '(body)', message: 'not valid JSON' }] };
  }
  const { data, problems } = checkSchema(inboundEventSchema, value);
  return data ? { data, problems: [] } : { problems };
}

/** What an inbound event does to its lead, as data the route turns into stream events and a stage floor. */
export interface InboundEffects {
  /** Deterministic `crm-<id>`: a replayed event is a duplicate the processor skips. */
  messageId: string;
  /** How to find the lead: the normalized email and/or the CRM id. */
  contact: { email?: string; crmId?: string };
  /** When it happened (the event's occurredAt). */
  timestamp: string;
  /** The track event to emit, for every type but contact_updated. */
  track?: { event: string; properties: Record<string, string | number> };
  /** The identify to emit for contact_updated: its traits (null clears a trait). */
  identify?: { traits: Record<string, string | number | boolean | null> };
  /** The stage the lead is at least in afterwards (never moves a lead down); none for the other types. */
  minStage?: Extract<Stage, 'sql' | 'customer'>;
}

/** The effects of one event (pure, deterministic: the same event gives the same effects). */
export function inboundEffects(event: InboundEvent): InboundEffects {
  const contact = {
    ...(event.contact.email !== undefined ? { email: normalizeEmail(event.contact.email)! } : {}),
    ...(event.contact.crmId !== undefined ? { crmId: event.contact.crmId } : {}),
  };
  const base = { messageId: `crm-${event.id}`, contact, timestamp: event.occurredAt };
  const context = {
    crmEventId: event.id,
    ...(event.opportunityId !== undefined ? { opportunityId: event.opportunityId } : {}),
    ...(event.stage !== undefined ? { crmStage: event.stage } : {}),
  };
  switch (event.type) {
    case 'opportunity_created':
      return { ...base, track: { event: inboundEventNames.opportunity_created, properties: context }, minStage: 'sql' };
    case 'deal_won':
      return {
        ...base,
        track: {
          event: inboundEventNames.deal_won,
          properties: { ...context, ...(event.amount !== undefined ? { amount: event.amount } : {}), ...(event.currency !== undefined ? { currency: event.currency } : {}) },
        },
        minStage: 'customer',
      };
    case 'deal_lost':
      return { ...base, track: { event: inboundEventNames.deal_lost, properties: { ...context, ...(event.reason !== undefined ? { reason: event.reason } : {}) } } };
    case 'contact_updated':
      return { ...base, identify: { traits: { ...(event.traits ?? {}) } } };
  }
}
