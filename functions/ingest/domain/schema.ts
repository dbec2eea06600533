import { z } from 'zod';
import { limits } from './limits.js';

/**
 * Segment HTTP Tracking API message schemas (https://segment.com/docs/connections/spec/common/).
 * Unknown fields are kept (passthrough): Segment clients send more than we read and we must not
 * reject them for it.
 */

const id = z.string().min(1).max(limits.idChars);
const isoDate = z.iso.datetime({ offset: true, local: false }).or(z.iso.date());
const record = z.record(z.string(), z.unknown());

const page = z
  .looseObject({
    path: z.string().max(2048).optional(),
    url: z.string().max(4096).optional(),
    referrer: z.string().max(4096).optional(),
    search: z.string().max(4096).optional(),
    title: z.string().max(1024).optional(),
  })
  .optional();

const campaign = z
  .looseObject({
    name: z.string().max(512).optional(),
    source: z.string().max(512).optional(),
    medium: z.string().max(512).optional(),
    term: z.string().max(512).optional(),
    content: z.string().max(512).optional(),
  })
  .optional();

const context = z
  .looseObject({
    page,
    campaign,
    userAgent: z.string().max(1024).optional(),
    ip: z.string().max(64).optional(),
    locale: z.string().max(64).optional(),
    timezone: z.string().max(64).optional(),
  })
  .optional();

const common = {
  messageId: id.optional(),
  anonymousId: id.optional(),
  userId: id.optional(),
  timestamp: isoDate.optional(),
  originalTimestamp: isoDate.optional(),
  sentAt: isoDate.optional(),
  context,
  integrations: record.optional(),
  writeKey: z.string().max(128).optional(),
};

export const trackSchema = z.looseObject({
  ...common,
  type: z.literal('track'),
  event: z.string().min(1).max(limits.nameChars),
  properties: record.optional(),
});
export const pageSchema = z.looseObject({
  ...common,
  type: z.literal('page'),
  name: z.string().max(limits.nameChars).optional(),
  category: z.string().max(limits.nameChars).optional(),
  properties: record.optional(),
});
export const screenSchema = z.looseObject({
  ...common,
  type: z.literal('screen'),
  name: z.string().max(limits.nameChars).optional(),
  properties: record.optional(),
});
export const identifySchema = z.looseObject({ ...common, type: z.literal('identify'), traits: record.optional() });
export const aliasSchema = z.looseObject({ ...common, type: z.literal('alias'), userId: id, previousId: id });
export const groupSchema = z.looseObject({ ...common, type: z.literal('group'), groupId: id, traits: record.optional() });

/** One Segment message, discriminated by `type`. */
export const messageSchema = z
  .discriminatedUnion('type', [trackSchema, pageSchema, screenSchema, identifySchema, aliasSchema, groupSchema])
  .refine((m) => m.anonymousId !== undefined || m.userId !== undefined, {
    message: 'either anonymousId or userId is required',
    path: ['anonymousId'],
  });

export type SegmentMessage = z.infer<typeof messageSchema>;
export type MessageType = SegmentMessage['type'];

export const messageTypes = ['track', 'page', 'screen', 'identify', 'alias', 'group'] as const;

/** Body of POST /v1/batch. `batch` is checked message by message so one bad message names its index. */
export const batchSchema = z.looseObject({
  batch: z.array(z.unknown()).min(1, 'batch must hold at least one message'),
  sentAt: isoDate.optional(),
  context: record.optional(),
  writeKey: z.string().max(128).optional(),
});
