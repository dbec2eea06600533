/**
 * Renders the HTTP request a destination receives for one domain event: the preset's documented API shape,
 * filled from the event (and the lead snapshot the delivery adds). Pure and deterministic: the same event
 * renders the same bytes, so a retried or replayed delivery sends exactly what the first one did. Secrets
 * never appear here: authorization is the connection's (EventBridge connection or the local stand-in), and
 * the webhook signature is added at delivery over the rendered body (crm/domain/signature.ts).
 */
import type { DestinationDefinition, DestinationEventType } from './definition.js';
import { destinationEventTypes, eventEntry } from './definition.js';
import { type Delivery, type DeliveryContext, type DeliveryEvent, jsonHeaders, leadFacts, passesFilter, webhookEnvelope } from './delivery.js';
import { renderHubspot } from './presets/hubspot.js';
import { renderKintone } from './presets/kintone.js';
import { renderSalesforce } from './presets/salesforce.js';
import { renderSlack } from './presets/slack.js';

export { type Delivery, type DeliveryContext, type DeliveryEvent, type LeadFacts, type LeadSnapshot, webhookEnvelope } from './delivery.js';

/**
 * The request for one event, or undefined when the destination does not take it: disabled, an event type
 * it does not list, filtered out, no profile, or lacking what the preset needs (HubSpot: an email).
 */
export function renderDelivery(definition: DestinationDefinition, event: DeliveryEvent, ctx: DeliveryContext): Delivery | undefined {
  if (!definition.enabled) return undefined;
  if (!(destinationEventTypes as readonly string[]).includes(event.detailType)) return undefined;
  const entry = definition.events.map(eventEntry).find((e) => e.type === (event.detailType as DestinationEventType));
  if (!entry || !passesFilter(entry.filter, event.detail)) return undefined;
  if (definition.preset === 'webhook') {
    if (typeof event.detail.messageId !== 'string') return undefined;
    return { method: 'POST', path: '', headers: { ...jsonHeaders }, body: JSON.stringify(webhookEnvelope(event)) };
  }
  const facts = leadFacts(event, ctx);
  if (!facts) return undefined;
  switch (definition.preset) {
    case 'salesforce':
      return renderSalesforce(definition.mapping, facts);
    case 'hubspot':
      return renderHubspot(definition.mapping, facts);
    case 'kintone':
      return renderKintone(definition.mapping, facts);
    case 'slack':
      return renderSlack(definition.mapping, facts);
  }
}
