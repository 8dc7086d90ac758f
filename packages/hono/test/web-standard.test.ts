import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinCatalog } from '@faultline/core';
import { faultline, validate } from '@faultline/hono';
import { rateLimit } from '@faultline/hono/rate-limit';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { captureLogs } from './helpers.js';

const packages = fileURLToPath(new URL('../../', import.meta.url));

/** The source file an import names: relative ones, and the workspace's @faultline packages (by their export map). */
function sourceOf(specifier: string, from: string): string | undefined {
  if (specifier.startsWith('.')) return resolve(dirname(from), specifier.replace(/\.js$/, '.ts'));
  const match = /^@faultline\/([^/]+)(?:\/(.+))?$/.exec(specifier);
  if (match === null) return undefined;
  const [, name, subpath] = match;
  const file = join(packages, name as string, 'src', subpath === undefined ? 'index.ts' : `${subpath}/index.ts`);
  return existsSync(file) ? file : undefined;
}

/** Every module an entry loads, followed through the workspace; what each imports from outside it. */
function importGraph(entry: string): { files: string[]; external: Map<string, string> } {
  const files: string[] = [];
  const external = new Map<string, string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (files.includes(file)) continue;
    files.push(file);
    const text = readFileSync(file, 'utf8');
    // Value imports and re-exports only: `import type` leaves nothing at run time.
    for (const [, keyword, specifier] of text.matchAll(/^(?:import|export)(?!\s+type\b)([^'"]*?)from\s+'([^']+)'/gm)) {
      void keyword;
      const source = sourceOf(specifier as string, file);
      if (source !== undefined) pending.push(source);
      else external.set(specifier as string, file);
    }
    for (const [, specifier] of text.matchAll(/^import\s+'([^']+)'/gm)) {
      const source = sourceOf(specifier as string, file);
      if (source !== undefined) pending.push(source);
    }
  }
  return { files, external };
}

describe('the main entry', () => {
  it('loads no node: module, through every workspace package it uses', () => {
    const { files, external } = importGraph(join(packages, 'hono/src/index.ts'));
    expect(files.length).toBeGreaterThan(10);
    const nodeImports = [...external].filter(([specifier]) => specifier.startsWith('node:'));
    expect(nodeImports.map(([specifier, file]) => `${specifier} in ${file.slice(packages.length)}`)).toEqual([]);
    // Nor Ajv, which compiles code at run time (refused by some edge runtimes): it is under /ajv.
    expect([...external.keys()].filter((specifier) => specifier.startsWith('ajv'))).toEqual([]);
  });
});

describe('on web-standard Request and Response alone', () => {
  it('answers through app.fetch with the whole contract', async () => {
    const app = new Hono();
    faultline(app, { realm: 'edge', logger: captureLogs().logger });
    app.use('/v1/*', rateLimit({ policies: [{ name: 'ip', limit: 10, windowMs: 1000 }], key: () => 'one' }));
    app.post('/v1/things', validate('json', z.object({ name: z.string() })), (c) => c.json(c.req.valid('json'), 201));
    app.get('/v1/me', () => {
      throw builtinCatalog.error('unauthorized_request', { detail: 'Sign in.' });
    });
    const fetch = (input: string, init?: RequestInit) => app.fetch(new Request(`https://api.example${input}`, init));
    const created = await fetch('/v1/things', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"a"}',
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('ratelimit')).toMatch(/^"ip";r=9;/);
    expect((await fetch('/v1/things', { method: 'DELETE' })).headers.get('allow')).toBe('POST');
    const unauthorized = await fetch('/v1/me');
    expect(unauthorized.headers.get('www-authenticate')).toMatch(/^Bearer realm="edge"/);
    const invalid = await fetch('/v1/things', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('content-type')).toBe('application/problem+json');
  });
});
