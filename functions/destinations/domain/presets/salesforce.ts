/**
 * Salesforce: Lead upsert by external id through the REST API.
 * `PATCH /services/data/v60.0/sobjects/Lead/<ExternalIdField>/<profile id>` creates the Lead when no record
 * has that value and updates it when one does (300 when several do). The external id field must not be in
 * the body. https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm
 * LastName and Company are required on Lead, so both fall back to something rather than fail the create.
 */
import type { DestinationDefinition } from '../definition.js';
import { type Delivery, jsonHeaders, type LeadFacts } from '../delivery.js';

/** The REST API version of every Salesforce request. */
export const salesforceApiVersion = 'v60.0';
/** Company when the lead has none (Salesforce requires one on Lead). */
export const salesforceNoCompany = '[not provided]';
/** LastName when the lead has neither a name nor an email. */
export const salesforceNoName = 'Unknown';
/** Longest LastName / Company Salesforce stores (Lead field lengths 80 and 255). */
const lastNameChars = 80;
const companyChars = 255;

type Mapping = Extract<DestinationDefinition, { preset: 'salesforce' }>['mapping'];

/** Last name, else the full name, else the email's local part, else "Unknown". */
function lastNameOf(f: LeadFacts): string {
  return (f.lastName ?? f.name ?? f.email?.split('@')[0] ?? salesforceNoName).slice(0, lastNameChars);
}

export function renderSalesforce(m: Mapping, f: LeadFacts): Delivery {
  const description = `${f.reason}${f.score !== undefined ? ` (score ${f.score})` : ''}${f.stage ? `, stage ${f.stage}` : ''}. ${f.url}`;
  const body: Record<string, unknown> = {
    LastName: lastNameOf(f),
    ...(f.firstName !== undefined && f.lastName !== undefined ? { FirstName: f.firstName } : {}),
    [m.companyField]: (f.company ?? salesforceNoCompany).slice(0, companyChars),
    ...(f.email !== undefined ? { Email: f.email } : {}),
    ...(f.phone !== undefined ? { Phone: f.phone } : {}),
    LeadSource: m.leadSource,
    [m.descriptionField]: description,
    ...(m.scoreField && f.score !== undefined ? { [m.scoreField]: f.score } : {}),
  };
  return {
    method: 'PATCH',
    path: `/services/data/${salesforceApiVersion}/sobjects/Lead/${m.externalIdField}/${encodeURIComponent(f.profileId)}`,
    headers: { ...jsonHeaders },
    body,
  };
}
