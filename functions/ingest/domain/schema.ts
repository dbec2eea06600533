// zod/mini keeps the Lambda bundle small (the classic `zod` API costs ~450 KB minified; mini ~25 KB).
import * as z from 'zod/mini';
import '../../shared/zod-messages.js';
import { limits } from './limits.js';

/**
 * Segment HTTP Tracking API message schemas (https://segment.com/docs/connections/spec/common/).
 * Unknown fields are kept (loose objects): Segment clients send more than we read and we must not
 * reject them for it.
 */

const text = (max: number) => z.string().check(z.maxLength(max));
const id = z.string().check(z.minLength(1), z.maxLength(limits.idChars));
const isoDate = z.union([z.iso.datetime({ offset: true, local: false }), z.iso.date()]);
const record = z.record(z.string(), z.unknown());
const opt = z.optional;

const page = opt(
  z.looseObject({
    path: opt(text(2048)),
    url: opt(text(4096)),
    referrer: opt(text(4096)),
    search: opt(text(4096)),
    title: opt(text(1024)),
  }),
);

const campaign = opt(
  z.looseObject({
    name: opt(text(512)),
    source: opt(text(512)),
    medium: opt(text(512)),
    term: opt(text(512)),
    content: opt(text(512)),
  }),
);

const context = opt(
  z.looseObject({
    page,
    campaign,
    userAgent: opt(text(1024)),
    ip: opt(text(64)),
    locale: opt(text(64)),
    timezone: opt(text(64)),
  }),
);

const common = {
  messageId: opt(id),
  anonymousId: opt(id),
  userId: opt(id),
  timestamp: opt(isoDate),
  originalTimestamp: opt(isoDate),
  sentAt: opt(isoDate),
  context,
  integrations: opt(record),
  writeKey: opt(text(128)),
};

const name = z.string().check(z.minLength(1), z.maxLength(limits.nameChars));

export const trackSchema = z.looseObject({ ...common, type: z.literal('track'), event: name, properties: opt(record) });
export const pageSchema = z.looseObject({
  ...common,
  type: z.literal('page'),
  name: opt(text(limits.nameChars)),
  category: opt(text(limits.nameChars)),
  properties: opt(record),
});
export const screenSchema = z.looseObject({
  ...common,
  type: z.literal('screen'),
  name: opt(text(limits.nameChars)),
  properties: opt(record),
});
export const identifySchema = z.looseObject({ ...common, type: z.literal('identify'), traits: opt(record) });
export const aliasSchema = z.looseObject({ ...common, type: z.literal('alias'), userId: id, previousId: id });
export const groupSchema = z.looseObject({ ...common, type: z.literal('group'), groupId: id, traits: opt(record) });

/** One Segment message, discriminated by `type`. */
export const messageSchema = z
  .discriminatedUnion('type', [trackSchema, pageSchema, screenSchema, identifySchema, aliasSchema, groupSchema])
  .check(
    z.refine((m) => m.anonymousId !== undefined || m.userId !== undefined, {
      message: 'either anonymousId or userId is required',
      path: ['anonymousId'],
    }),
  );

export type SegmentMessage = z.infer<typeof messageSchema>;
export type MessageType = SegmentMessage['type'];

export const messageTypes = ['track', 'page', 'screen', 'identify', 'alias', 'group'] as const;

/** Body of POST /v1/batch. `batch` is checked message by message so one bad message names its index. */
export const batchSchema = z.looseObject({
  batch: z.array(z.unknown()).check(z.minLength(1, 'batch must hold at least one message')),
  sentAt: opt(isoDate),
  context: opt(record),
  writeKey: opt(text(128)),
});
