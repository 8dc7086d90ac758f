import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinCatalog } from '@faultline/core';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Where a server answers with a code: every package that produces or documents errors. */
const serverSources = ['apps/reference-api/src', 'packages/fastify/src', 'packages/docs/src', 'packages/cli/src'];

/** The client's own codes for failures that have no response; they never come from a server. */
const clientOnlyCodes = new Set(['network_error', 'timeout', 'invalid_response']);

/** The ways source code names an error code: a catalog factory, an ApiError, a `code:` member, the Fastify layer's helper. */
const codePatterns = [
  /\.error\(\s*['"]([a-z][a-z0-9_]*)['"]/g,
  /new ApiError\(\s*['"]([a-z][a-z0-9_]*)['"]/g,
  /\bcode:\s*['"]([a-z][a-z0-9_]*)['"]/g,
  /expected\(\s*catalog,\s*['"]([a-z][a-z0-9_]*)['"]/g,
];

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function codesUsedIn(directories: readonly string[]): Map<string, string[]> {
  const used = new Map<string, string[]>();
  for (const file of directories.flatMap((directory) => sourceFiles(join(root, directory)))) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of codePatterns) {
      for (const match of text.matchAll(pattern)) {
        const code = match[1] as string;
        used.set(code, [...(used.get(code) ?? []), relative(root, file)]);
      }
    }
  }
  return used;
}

describe('the catalog is the single source of truth', () => {
  it('holds every code the server and the docs name', () => {
    const used = codesUsedIn(serverSources);
    expect(used.size).toBeGreaterThan(10);
    const missing = [...used]
      .filter(([code]) => !builtinCatalog.has(code))
      .map(([code, files]) => `${code} (${files.join(', ')})`);
    expect(missing).toEqual([]);
  });

  it('holds every code the client names, but for its own no-response codes', () => {
    const used = codesUsedIn(['packages/client/src']);
    const missing = [...used.keys()].filter((code) => !builtinCatalog.has(code) && !clientOnlyCodes.has(code));
    expect(missing).toEqual([]);
    for (const code of clientOnlyCodes) expect(builtinCatalog.has(code), `${code} must stay client-only`).toBe(false);
  });

  it('would notice a code the catalog lacks', () => {
    const text = "throw builtinCatalog.error('not_in_catalog');";
    const found = [...text.matchAll(codePatterns[0] as RegExp)].map((match) => match[1]);
    expect(found).toEqual(['not_in_catalog']);
    expect(builtinCatalog.has('not_in_catalog')).toBe(false);
  });
});
