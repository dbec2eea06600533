import * as z from 'zod/mini';
import type * as core from 'zod/v4/core';
import type { IdentifyCall, Resolution } from '../../identity/domain/identify.js';
import { type CollectedEvent, enrich, type RequestMeta } from './enrich.js';
import { InvalidRequestError, PayloadTooLargeError } from '../errors.js';
import { limits } from './limits.js';
import { checkNesting, type TooDeep } from './nesting.js';
import { requireWriteKey } from './write-key.js';
import { batchSchema, type MessageType, messageSchema, type SegmentMessage } from './schema.js';

/** Ports of the ingest use case; adapters implement them with Kinesis and DynamoDB. */
export interface IngestPorts {
  /** Writes events durably, in order, or throws SinkUnavailableError. */
  putEvents(events: CollectedEvent[]): Promise<void>;
  /** Resolves and links an identify/alias (see identity/domain/identify.ts). */
  identify(call: IdentifyCall): Promise<Resolution | undefined>;
  writeKeys: ReadonlySet<string>;
}

export interface IngestRequest {
  /** `batch` or a single message type taken from the path (/v1/track → track). */
  kind: 'batch' | MessageType;
  body: string;
  bodyBytes: number;
  authorization?: string;
  sourceIp?: string;
  userAgent?: string;
  receivedAt: Date;
}

export interface Rejection {
  index: number;
  field: string;
  error: string;
}

export interface IngestResult {
  accepted: number;
  rejected: Rejection[];
}

/**
 * Validates, enriches and stores one API request.
 *
 * Batches are accepted message by message: valid messages are stored and each invalid one is reported
 * (index, field, error) in the 200 answer, because refusing a whole batch for one bad message would lose
 * good events that a client will not resend. A batch in which no message is valid is a 400.
 */
export async function ingest(req: IngestRequest, ports: IngestPorts): Promise<IngestResult> {
  if (req.bodyBytes > limits.batchBytes) {
    throw new PayloadTooLargeError('request body is larger than 500 KB', limits.batchBytes);
  }
  if (req.kind !== 'batch' && req.bodyBytes > limits.messageBytes) {
    throw new PayloadTooLargeError('message is larger than 32 KB', limits.messageBytes);
  }
  const { body, tooDeep } = parseJson(req.body, req.kind === 'batch' ? 'batch' : 'message');
  const writeKey = requireWriteKey(req.authorization, body.writeKey, ports.writeKeys);

  const meta: RequestMeta = {
    receivedAt: req.receivedAt,
    writeKey,
    ...(req.sourceIp ? { sourceIp: req.sourceIp } : {}),
    ...(req.userAgent ? { userAgentHeader: req.userAgent } : {}),
  };
  const { messages, rejected } = req.kind === 'batch' ? readBatch(body, meta, tooDeep) : readSingle(body, req.kind);

  if (messages.length === 0) {
    const first = rejected[0];
    throw new InvalidRequestError(first ? `no valid message: ${first.error}` : 'no message', first?.field ?? 'batch', {
      rejected,
    });
  }

  const events: CollectedEvent[] = [];
  for (const message of messages) {
    const event = enrich(message, meta);
    if (event.type === 'identify' || event.type === 'alias') {
      // Synchronous, so "who is this visitor?" is answerable right after a form submit.
      const resolution = await ports.identify({
        ...(event.anonymousId ? { anonymousId: event.anonymousId } : {}),
        ...(event.userId ? { userId: event.userId } : {}),
        ...(event.previousId ? { previousId: event.previousId } : {}),
        email: event.traits?.email,
        at: event.timestamp,
      });
      if (resolution) {
        event.nurture.profileId = resolution.profileId;
        if (resolution.mergeFrom.length > 0) event.nurture.mergeFrom = resolution.mergeFrom;
      }
    }
    events.push(event);
  }
  await ports.putEvents(events);
  return { accepted: events.length, rejected };
}

/**
 * The body as an object. Its nesting is checked on the text first (domain/nesting.ts), so JSON.parse and
 * everything after it only ever see values at most `limits.nestingDepth` levels below a message.
 */
function parseJson(text: string, kind: 'batch' | 'message'): { body: Record<string, unknown>; tooDeep: TooDeep[] } {
  if (!/^\s*\{/.test(text)) {
    throw new InvalidRequestError(text.trim() ? 'body must be a JSON object' : 'body is empty: send a JSON object', 'body');
  }
  const checked = checkNesting(text, kind);
  let value: unknown;
  try {
    value = JSON.parse(checked.text);
  } catch (err) {
    // Positions are only meaningful when nothing was cut out of the text.
    const detail = checked.tooDeep.length === 0 && err instanceof SyntaxError ? ` (${err.message})` : '';
    throw new InvalidRequestError(`body is not valid JSON${detail}`, 'body');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidRequestError('body must be a JSON object', 'body');
  }
  return { body: value as Record<string, unknown>, tooDeep: checked.tooDeep };
}

function fieldOf(issue: core.$ZodIssue, prefix: string): string {
  const path = issue.path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
  if (!prefix) return path || 'body';
  return path ? `${prefix}${path.startsWith('[') ? '' : '.'}${path}` : prefix;
}

function readSingle(body: Record<string, unknown>, type: MessageType) {
  // The endpoint decides the type, as Segment's does.
  const parsed = z.safeParse(messageSchema, { ...body, type });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidRequestError(`invalid ${type} message: ${issue.message}`, fieldOf(issue, ''), {
      issues: parsed.error.issues.map((i) => ({ field: fieldOf(i, ''), error: i.message })),
    });
  }
  return { messages: [parsed.data], rejected: [] as Rejection[] };
}

function readBatch(body: Record<string, unknown>, meta: RequestMeta, tooDeep: TooDeep[]) {
  const parsed = z.safeParse(batchSchema, body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidRequestError(`invalid batch: ${issue.message}`, fieldOf(issue, ''));
  }
  if (parsed.data.sentAt) meta.sentAt = parsed.data.sentAt;
  if (parsed.data.context) meta.context = parsed.data.context;
  const messages: SegmentMessage[] = [];
  const rejected: Rejection[] = [];
  const deep = new Map(tooDeep.map((r) => [r.index, r]));
  parsed.data.batch.forEach((raw, index) => {
    const prefix = `batch[${index}]`;
    const tooDeepHere = deep.get(index);
    if (tooDeepHere) {
      rejected.push(tooDeepHere);
      return;
    }
    if (Buffer.byteLength(JSON.stringify(raw) ?? '', 'utf8') > limits.messageBytes) {
      rejected.push({ index, field: prefix, error: 'message is larger than 32 KB' });
      return;
    }
    const result = z.safeParse(messageSchema, raw);
    if (result.success) messages.push(result.data);
    else {
      const issue = result.error.issues[0]!;
      rejected.push({ index, field: fieldOf(issue, prefix), error: issue.message });
    }
  });
  return { messages, rejected };
}
