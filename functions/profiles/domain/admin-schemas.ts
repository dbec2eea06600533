import * as z from 'zod/mini';
import '../../shared/zod-messages.js';
import { touchesLimits } from '../../analytics/domain/touches-query.js';
import { stages } from './profile.js';

/** Query of GET /v1/admin/leads. */
export const leadsQuery = z.object({
  stage: z.optional(z.enum(stages)),
  limit: z.optional(z.pipe(z.string().check(z.regex(/^\d+$/, 'limit must be a whole number')), z.transform(Number))),
  includeAnonymous: z.optional(z.enum(['true', 'false'])),
  order: z.optional(z.literal('score')),
});

/** Query of GET /v1/admin/profiles/{id}: the activity page after this entry (time and id, from `next`). */
export const profileQuery = z.object({
  before: z.optional(z.iso.datetime({ offset: true })),
  beforeId: z.optional(z.string().check(z.maxLength(256))),
});

/** Query of GET /v1/admin/profiles/{id}/touches: days back from now (1..touchesLimits.maxDays). */
export const touchesQuery = z.object({
  days: z.optional(
    z.pipe(
      z.string().check(z.regex(/^\d{1,5}$/, 'days must be a whole number')),
      z.pipe(z.transform(Number), z.number().check(z.minimum(1, 'days must be at least 1'), z.maximum(touchesLimits.maxDays, `days must be at most ${touchesLimits.maxDays}`))),
    ),
  ),
});
