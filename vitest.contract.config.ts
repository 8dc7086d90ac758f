import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The observed-answers check, after the whole suite has run (`npm test`): it
 * reads the answers every test recorded, so it cannot run beside them.
 */
export default mergeConfig(
  { resolve: base.resolve },
  defineConfig({
    test: {
      name: 'contract',
      include: ['apps/reference-api/test/observed-answers.check.ts'],
      testTimeout: 120_000,
      hookTimeout: 60_000,
    },
  }),
);
