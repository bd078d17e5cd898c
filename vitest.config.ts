import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The HTTP suites run on the embedded default and, when the Postgres and S3 test services are
// given (scripts/test-services.sh; CI always starts them), again on Postgres + S3.
const servicesGiven = Boolean(process.env.PIXPRESS_TEST_DATABASE_URL && process.env.PIXPRESS_TEST_S3_ENDPOINT);
if (!servicesGiven) {
  console.log(
    'vitest: the Postgres + S3 runs are skipped: PIXPRESS_TEST_DATABASE_URL and PIXPRESS_TEST_S3_ENDPOINT are unset (scripts/test-services.sh starts both)',
  );
}

export default defineConfig({
  resolve: {
    // graphql ships CJS (main) and ESM (module) builds without an exports map: Node picks the CJS
    // one for our dependencies and Vite would pick the ESM one for test files, and two instances
    // of graphql refuse each other's types. Point Vite at the one Node loads.
    alias: { graphql: fileURLToPath(new URL('./node_modules/graphql/index.js', import.meta.url)) },
  },
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // In CI, a JSON report as well, from which .ci/run prints its closing "N passed, N failed" line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results/vitest.json' }]] : ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'embedded',
          // *.test.ts are vitest; *.spec.ts are Playwright (site/e2e), so neither picks up the other's.
          include: ['graphql/**/*.test.ts', 'scripts/**/*.test.ts', 'site/src/**/*.test.ts'],
          env: { PIXPRESS_TEST_BACKEND: 'embedded' },
        },
      },
      ...(servicesGiven
        ? [
            {
              extends: true,
              test: {
                name: 'postgres-s3',
                // The suites that drive a server: every one of them again, with records in Postgres
                // and files in the bucket. Backend-specific suites run once, in the project above.
                include: ['graphql/tests/**/*.test.ts', 'scripts/**/*.test.ts'],
                // Not about storage (the schema, config, README and container files), or about the
                // embedded store's own file (crash safety of db.json; `node server.ts` on a data folder).
                exclude: [
                  'graphql/tests/{schema,config,container,readme,throttle,production}.test.ts',
                  'graphql/tests/hardening/crash.test.ts',
                  // Start their own instances and stores on their own databases and buckets.
                  'graphql/tests/{multi-instance,migrate-store}.test.ts',
                ],
                env: { PIXPRESS_TEST_BACKEND: 'postgres-s3' },
              },
            },
          ]
        : []),
    ],
  },
});
