/** Spectral, run as its CLI with the project's `.spectral.yaml`, on an OpenAPI document written to a file. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

export interface SpectralFinding {
  readonly code: string;
  /** 0 is an error, 1 a warning. */
  readonly severity: number;
  readonly path: string[];
  readonly message: string;
}

/** Lints `file`; the findings and the exit status of the CLI. */
export function lintWithSpectral(file: string): { findings: SpectralFinding[]; status: number | null } {
  const result = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules/@stoplight/spectral-cli/dist/index.js'),
      'lint',
      '--ruleset',
      join(root, '.spectral.yaml'),
      '--format',
      'json',
      '--quiet',
      file,
    ],
    { cwd: root, encoding: 'utf8', timeout: 110_000, env: { ...process.env, NO_COLOR: '1' } },
  );
  return { findings: JSON.parse(result.stdout === '' ? '[]' : result.stdout) as SpectralFinding[], status: result.status };
}
