import * as z from 'zod/mini';
import './zod-messages.js';
import type * as core from 'zod/v4/core';

/** Thrown at cold start when the environment is missing or malformed; names every bad variable. */
export class EnvError extends Error {
  override name = 'EnvError';
}

/** Parses process.env once with a zod object schema and fails fast naming each bad variable. */
export function parseEnv<T extends core.$ZodType>(schema: T, env: NodeJS.ProcessEnv = process.env): core.output<T> {
  const parsed = z.safeParse(schema, env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  throw new EnvError(`Invalid environment: ${lines.join('; ')}`);
}

/** A required, non-empty environment variable. */
export const required = () => z.string().check(z.minLength(1));

/** A comma-separated environment list ("a,b , c" → ["a","b","c"]) with at least one entry. */
export const commaList = () =>
  z.pipe(
    required(),
    z.transform((value: string) =>
      value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  );
