import * as z from 'zod/mini';

/** Largest page of the suppression list. */
export const maxSuppressionPage = 100;

/** Bodies and queries of the sending operator routes (validated by functions/sending/routes.ts, documented in OpenAPI). */
export const addSuppressionBody = z.object({ email: z.string(), detail: z.optional(z.string().check(z.maxLength(500))) });
export const consentBody = z.object({
  status: z.enum(['granted', 'revoked']),
  source: z.string().check(z.minLength(1), z.maxLength(200)),
});
export const suppressionsQuery = z.object({ limit: z.optional(z.string()), cursor: z.optional(z.string()) });
