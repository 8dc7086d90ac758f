/**
 * Vitest global set-up of both projects: every app the tests build records its
 * answers (see src/contract/observed-answers.ts) into one directory per run,
 * which the observed-answers check (vitest.contract.config.ts) then holds to
 * the OpenAPI document.
 */
import { mkdirSync } from 'node:fs';
import { observedAnswersVariable } from '../src/contract/observed-answers.js';
import { runDirectory } from './observed-answers-directory.js';

export default function setup(): void {
  // The same for both projects' set-ups, which run in one vitest process; a run beside it writes elsewhere.
  const directory = runDirectory(`${Math.round(performance.timeOrigin)}-${process.pid}`);
  mkdirSync(directory, { recursive: true });
  // Inherited by the test processes vitest starts after this, and by the servers they spawn.
  process.env[observedAnswersVariable] = directory;
}
