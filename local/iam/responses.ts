/**
 * The AccessDenied answer each service gives on AWS, in its own protocol, so the SDK turns a local denial
 * into the same error (name, status, message shape) as a real one.
 */
import { randomUUID } from 'node:crypto';
import type { Service } from './requests.js';

export interface DeniedResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** AWS's wording: `User: <arn> is not authorized to perform: <action> on resource: <arn> <reason>`. */
export function deniedMessage(principalArn: string, action: string, resource: string, reason: string): string {
  return `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource} ${reason}`;
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function accessDenied(service: Service, message: string, method = 'POST'): DeniedResponse {
  const requestId = randomUUID();
  switch (service) {
    case 's3':
      return {
        status: 403,
        headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
        // HEAD answers carry no body on AWS either; the SDK then names the error by the status (Forbidden).
        body:
          method === 'HEAD'
            ? ''
            : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>${xmlEscape(message)}</Message><RequestId>${requestId}</RequestId><HostId>local</HostId></Error>`,
      };
    case 'sesv2':
      return {
        status: 403,
        headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException', 'x-amzn-requestid': requestId },
        body: JSON.stringify({ message }),
      };
    case 'dynamodb':
    case 'sfn':
      // AWS JSON 1.0: the type carries the coral namespace; the SDK keeps the part after '#'.
      return {
        status: 400,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId },
        body: JSON.stringify({ __type: 'com.amazon.coral.service#AccessDeniedException', message, Message: message }),
      };
    case 'kinesis':
    case 'firehose':
    case 'eventbridge':
    case 'secretsmanager':
      return {
        status: 400,
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId },
        body: JSON.stringify({ __type: 'AccessDeniedException', message, Message: message }),
      };
  }
}
