import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests import the workspace packages from source, so they never run against a stale build.
const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@faultline/core': source('./packages/core/src/index.ts'),
      '@faultline/docs': source('./packages/docs/src/index.ts'),
      '@faultline/fastify': source('./packages/fastify/src/index.ts'),
      '@faultline/client/reference-api': source('./packages/client/src/reference-api/index.ts'),
      '@faultline/client': source('./packages/client/src/index.ts'),
      '@faultline/reference-contract': source('./packages/reference-contract/src/index.ts'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
