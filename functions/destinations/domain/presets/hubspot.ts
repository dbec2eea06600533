/**
 * HubSpot: contact upsert keyed on email, `POST /crm/v3/objects/contacts/batch/upsert` with
 * `{inputs: [{id: <email>, idProperty: "email", properties}]}`.
 * https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/batch/upsert-contacts
 * lifecyclestage takes the stage's internal value (https://developers.hubspot.com/docs/api-reference/latest/crm/objects/contacts/guide).
 */
import type { DestinationDefinition } from '../definition.js';
import { type Delivery, jsonHeaders, type LeadFacts } from '../delivery.js';

/** HubSpot lifecycle stage (internal value) by Nurture stage; anonymous and dormant set none. */
export const hubspotLifecycle: Readonly<Record<string, string>> = {
  known: 'lead',
  mql: 'marketingqualifiedlead',
  sql: 'salesqualifiedlead',
  customer: 'customer',
};

type Mapping = Extract<DestinationDefinition, { preset: 'hubspot' }>['mapping'];

/** The upsert, or undefined for a lead without an email (HubSpot's upsert keys on it). */
export function renderHubspot(m: Mapping, f: LeadFacts): Delivery | undefined {
  if (!f.email) return undefined;
  const lifecycle = m.lifecycleStage && f.stage ? hubspotLifecycle[f.stage] : undefined;
  // HubSpot property values are strings on the wire (numbers included).
  const properties: Record<string, string> = {
    email: f.email,
    ...(f.firstName !== undefined ? { firstname: f.firstName } : {}),
    ...(f.lastName !== undefined ? { lastname: f.lastName } : {}),
    ...(f.company !== undefined ? { company: f.company } : {}),
    ...(f.phone !== undefined ? { phone: f.phone } : {}),
    ...(lifecycle ? { lifecyclestage: lifecycle } : {}),
    ...(m.scoreProperty && f.score !== undefined ? { [m.scoreProperty]: String(f.score) } : {}),
    ...(m.reasonProperty ? { [m.reasonProperty]: f.reason } : {}),
  };
  return {
    method: 'POST',
    path: '/crm/v3/objects/contacts/batch/upsert',
    headers: { ...jsonHeaders },
    body: { inputs: [{ id: f.email, idProperty: 'email', properties }] },
  };
}
