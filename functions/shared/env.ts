import type { z } from 'zod';

/** Thrown at cold start when the environment is missing or malformed; names every bad variable. */
export class EnvError extends Error {
  override name = 'EnvError';
}

/** Parses process.env once with a zod object schema and fails fast naming each bad variable. */
export function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv = process.env): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  throw new EnvError(`Invalid environment: ${lines.join('; ')}`);
}

/** A comma-separated environment list ("a,b , c" → ["a","b","c"]). */
export function commaList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
