import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root, for unit tests that read repository files (without loading local mode). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
