import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql ships CJS (main) and ESM (module) builds without an exports map: Node picks the CJS
    // one for our dependencies and Vite would pick the ESM one for test files, and two instances
    // of graphql refuse each other's types. Point Vite at the one Node loads.
    alias: { graphql: fileURLToPath(new URL('./node_modules/graphql/index.js', import.meta.url)) },
  },
  test: {
    // *.test.ts are vitest; *.spec.ts are Playwright (site/e2e), so neither picks up the other's.
    include: ['graphql/**/*.test.ts', 'scripts/**/*.test.ts', 'site/src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // In CI, a JSON report as well, from which .ci/run prints its closing "N passed, N failed" line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results/vitest.json' }]] : ['default'],
  },
});
