import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the test suite records the reference API's answers (git-ignored): one directory per run. */
export const observedAnswersDirectory = fileURLToPath(new URL('../../../.observed-answers/', import.meta.url));

/** The directory of one run, named by when it started so that the latest sorts last. */
export function runDirectory(run: string): string {
  return join(observedAnswersDirectory, run);
}

/** The directory of the latest run, after removing those of earlier runs; undefined when none ran. */
export function latestRun(): string | undefined {
  const runs = readdirSync(observedAnswersDirectory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => Number(a.split('-')[0]) - Number(b.split('-')[0]));
  for (const earlier of runs.slice(0, -1)) rmSync(runDirectory(earlier), { recursive: true, force: true });
  const latest = runs.at(-1);
  return latest === undefined ? undefined : runDirectory(latest);
}
