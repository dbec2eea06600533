/**
 * HTTP routes of CRM, with their OpenAPI documentation: `POST /v1/crm/events` (inbound updates from a
 * sales tool, HMAC-signed; served by `crmInbound`). Server to server: no CORS.
 */
import { bodyBytes, bodyText, type HttpRequest, json, routesOf } from '../shared/http.js';
import { clientErrorSchema, type RouteDoc } from '../shared/route-docs.js';
import { inboundEventSchema, inboundLimits } from './domain/inbound.js';
import { type InboundPorts, receiveInbound, replayGuardSeconds } from './domain/receive.js';
import { signatureHeader, signatureToleranceSeconds } from './domain/signature.js';

const eventsDoc: RouteDoc = {
  summary: 'Receive a CRM update (opportunity_created, deal_won, deal_lost, contact_updated)',
  description:
    `Signed with the shared secret: header \`${signatureHeader}: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">\` ` +
    `(at most ${signatureToleranceSeconds} s off; two v1 entries during a rotation). Body at most ${inboundLimits.bodyBytes} bytes. ` +
    `An event id is kept ${replayGuardSeconds / 3600} h: a repeat answers 200 with \`duplicate: true\` and does nothing. ` +
    'The lead is found by `contact.email` (created when new); opportunity_created makes it at least SQL, deal_won a customer.',
  tags: ['crm'],
  body: inboundEventSchema,
  bodyTypes: ['application/json'],
  responses: {
    '200': {
      description: 'Applied (or a duplicate id, ignored)',
      schema: { type: 'object', properties: { success: { const: true }, id: { type: 'string' }, duplicate: { type: 'boolean' }, profileId: { type: 'string' } }, required: ['success', 'id'] },
    },
    '400': { description: 'Malformed body; `field` names the bad field', schema: clientErrorSchema },
    '401': { description: `Missing, malformed, stale or wrong \`${signatureHeader}\`; \`reason\` says which`, schema: clientErrorSchema },
    '413': { description: `Body over ${inboundLimits.bodyBytes} bytes`, schema: clientErrorSchema },
    '422': { description: 'The lead cannot be found: `contact.email` is needed (lookup by crmId alone comes later)', schema: clientErrorSchema },
  },
};

/** The public routes of `crmInbound`. */
export const crmInboundRoutes = routesOf<InboundPorts>('crmInbound', [
  {
    method: 'POST',
    path: '/v1/crm/events',
    doc: eventsDoc,
    async handle(req: HttpRequest, ports: InboundPorts) {
      if (bodyBytes(req.event) > inboundLimits.bodyBytes) {
        return json(413, { success: false, error: `body larger than ${inboundLimits.bodyBytes} bytes`, field: '(body)', limitBytes: inboundLimits.bodyBytes });
      }
      const out = await receiveInbound(bodyText(req.event), req.headers[signatureHeader.toLowerCase()], ports);
      switch (out.kind) {
        case 'unsigned':
          return json(401, { success: false, error: `${signatureHeader}: ${out.reason}`, field: signatureHeader, reason: out.reason });
        case 'invalid': {
          const first = out.problems[0]!;
          return json(400, { success: false, error: `${first.field}: ${first.message}`, field: first.field, problems: out.problems });
        }
        case 'unresolvable':
          return json(422, { success: false, error: `${out.field}: ${out.message}`, field: out.field });
        case 'duplicate':
          return json(200, { success: true, id: out.id, duplicate: true });
        case 'applied':
          return json(200, { success: true, id: out.id, profileId: out.profileId });
      }
    },
  },
]);

/** Every route of CRM. */
export const crmRoutes = [...crmInboundRoutes];
