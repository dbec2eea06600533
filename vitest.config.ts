import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file runs in its own process: local-mode tests set process.env for the handlers they load.
    pool: 'forks',
    // Two cores here and on CI: more workers only queue behind each other.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
