import { httpFunction } from '../shared/http-function.js';
import { crmInboundEnv, crmInboundPorts } from './adapters/inbound-ports.js';
import { crmInboundRoutes } from './routes.js';

/** Inbound CRM updates: `POST /v1/crm/events`, HMAC-signed, server to server (no CORS). */
export const handler = httpFunction('crmInbound', crmInboundRoutes, await crmInboundPorts(crmInboundEnv()));
