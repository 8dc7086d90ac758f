import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests import the workspace packages from source, so they never run against a stale build.
const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

// Every app the tests build records its answers, for the observed-answers check (vitest.contract.config.ts).
const observedAnswersSetup = 'apps/reference-api/test/observed-answers-setup.ts';

export default defineConfig({
  resolve: {
    alias: {
      '@faultline/core': source('./packages/core/src/index.ts'),
      '@faultline/docs': source('./packages/docs/src/index.ts'),
      '@faultline/idempotency': source('./packages/idempotency/src/index.ts'),
      '@faultline/rate-limit': source('./packages/rate-limit/src/index.ts'),
      '@faultline/http/node': source('./packages/http/src/node/index.ts'),
      '@faultline/http/ajv': source('./packages/http/src/ajv/index.ts'),
      '@faultline/http': source('./packages/http/src/index.ts'),
      '@faultline/fastify': source('./packages/fastify/src/index.ts'),
      '@faultline/hono/ajv': source('./packages/hono/src/ajv/index.ts'),
      '@faultline/hono/idempotency': source('./packages/hono/src/idempotency/index.ts'),
      '@faultline/hono/node': source('./packages/hono/src/node/index.ts'),
      '@faultline/hono/rate-limit': source('./packages/hono/src/rate-limit/index.ts'),
      '@faultline/hono': source('./packages/hono/src/index.ts'),
      '@faultline/express': source('./packages/express/src/index.ts'),
      '@faultline/client': source('./packages/client/src/index.ts'),
      '@faultline/reference-client': source('./packages/reference-client/src/index.ts'),
      '@faultline/check': source('./packages/check/src/index.ts'),
      '@faultline/cli': source('./packages/cli/src/index.ts'),
      '@faultline/reference-contract': source('./packages/reference-contract/src/index.ts'),
      '@faultline/test-services': source('./packages/test-services/src/index.ts'),
    },
  },
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'sqlite',
          include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'test/**/*.test.ts'],
          globalSetup: [observedAnswersSetup],
        },
      },
      {
        // The reference API's tests again on PostgreSQL, started by the set-up. Left out: the tests
        // that never open a database (configuration, the catalog scan, the docs pages, OpenAPI lint, the
        // README's commands, which run on SQLite as the README says),
        // and the Redis tests, which test Redis and run their processes on SQLite files.
        extends: true,
        test: {
          name: 'postgres',
          include: ['apps/reference-api/test/**/*.test.ts'],
          exclude: [
            'apps/reference-api/test/config.test.ts',
            'apps/reference-api/test/catalog-usage.test.ts',
            'apps/reference-api/test/docs.test.ts',
            'apps/reference-api/test/docs-browser.test.ts',
            'apps/reference-api/test/openapi.test.ts',
            'apps/reference-api/test/readme.test.ts',
            'apps/reference-api/test/readme-tour.test.ts',
            'apps/reference-api/test/redis-config.test.ts',
            'apps/reference-api/test/redis-rate-limits.test.ts',
            'apps/reference-api/test/rate-limits-two-processes.test.ts',
            'apps/reference-api/test/slow-clients.test.ts',
            // The typed client's tests: each opens its own in-memory SQLite app, or none.
            'apps/reference-api/test/client-formats.test.ts',
            'apps/reference-api/test/client-rate-limits.test.ts',
            'apps/reference-api/test/reference-client.test.ts',
            'apps/reference-api/test/reference-client-campaign-fields.test.ts',
            'apps/reference-api/test/reference-client-check-input.test.ts',
            'apps/reference-api/test/serve-command.test.ts',
            // faultline check against the reference API: each app on its own in-memory SQLite, as the client's tests.
            'apps/reference-api/test/faultline-check.test.ts',
          ],
          env: { FAULTLINE_TEST_DATABASE: 'postgres' },
          globalSetup: ['apps/reference-api/test/postgres-global-setup.ts', observedAnswersSetup],
        },
      },
    ],
  },
});
