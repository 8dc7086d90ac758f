import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const source = fileURLToPath(new URL('../src/', import.meta.url));
const specifiers = /(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)/g;

/** Every module the main entry loads, followed through its relative imports; and the packages they import. */
function graph(entry: string): { files: string[]; packages: Set<string> } {
  const files: string[] = [];
  const packages = new Set<string>();
  const queue = [entry];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (files.includes(file)) continue;
    files.push(file);
    // Comments left out: the TSDoc examples import what a user would.
    const code = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    for (const match of code.matchAll(specifiers)) {
      const specifier = (match[1] ?? match[2]) as string;
      if (specifier.startsWith('.')) queue.push(join(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.add(specifier);
    }
  }
  return { files, packages };
}

describe('the main entry of @faultline/http', () => {
  it('loads nothing from node:, nor the /node and /ajv parts, so it runs on any runtime with web standards', () => {
    const { files, packages } = graph(join(source, 'index.ts'));
    expect(files.length).toBeGreaterThan(10);
    expect(files.filter((file) => file.includes('/node/') || file.includes('/ajv/'))).toEqual([]);
    expect([...packages].sort()).toEqual(['@faultline/core', '@standard-schema/spec', 'secure-json-parse']);
  });
});
