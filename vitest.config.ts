import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file runs in its own process: local-mode tests set process.env for the handlers they load.
    pool: 'forks',
    // Two cores here and on CI: more workers only queue behind each other.
    maxWorkers: 2,
    testTimeout: 30_000,
    // The JSON report feeds the one-line summary that .ci/run prints last.
    reporters: ['default', ['json', { outputFile: '.nurture/test-results.json' }]],
    hookTimeout: 60_000,
    // Versions are pinned by package-lock.json; the SDK's Node 22 notice is noise in test output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
