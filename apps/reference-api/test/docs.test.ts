import { createHash } from 'node:crypto';
import { builtinCatalog, httpStatuses, profileNames } from '@faultline/core';
import { checkDefinitions, checkReferenceContentSecurityPolicy, checkReferencePage } from '@faultline/check';
import { errorReferenceContentSecurityPolicy } from '@faultline/docs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, json, openWorld, type World } from './support.js';

let world: World;
let app: FastifyInstance;
let page: string;

beforeAll(async () => {
  world = await openWorld();
  app = await world.app();
  page = (await app.inject({ url: '/docs/errors' })).body;
});

afterAll(async () => {
  await world.close();
});

const count = (text: string, needle: string) => text.split(needle).length - 1;

describe('GET /docs/errors', () => {
  it('is an HTML page, without credentials, locked down by a content security policy', async () => {
    const response = await app.inject({ url: '/docs/errors' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = response.headers['content-security-policy'] as string;
    expect(csp).toBe(errorReferenceContentSecurityPolicy);
    expect(csp).toMatch(/^default-src 'none'; /);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    // The page's one inline script and one inline style are exactly those the policy allows by hash.
    const script = /<script>([\s\S]*?)<\/script>/.exec(response.body)?.[1] ?? '';
    const style = /<style>([\s\S]*?)<\/style>/.exec(response.body)?.[1] ?? '';
    const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    expect(csp).toContain(`script-src ${sha256(script)};`);
    expect(csp).toContain(`style-src ${sha256(style)};`);
    expect(response.body.split('<script').length - 1).toBe(1);
    expect(response.headers['x-request-id']).toEqual(expect.any(String));
    expect(response.body.startsWith('<!doctype html>')).toBe(true);
    expect(response.body).toContain('<title>Error reference</title>');
  });

  it('has exactly one element with id= for every catalog code', () => {
    expect(builtinCatalog.codes.length).toBeGreaterThan(30);
    for (const code of builtinCatalog.codes) {
      expect({ code, sections: count(page, `<section id="${code}" `) }).toEqual({ code, sections: 1 });
      expect({ code, ids: count(page, `id="${code}"`) }).toEqual({ code, ids: 1 });
    }
    const ids = [...page.matchAll(/<section id="([a-z0-9_]+)" data-search="[^"]*">/g)].map((match) => match[1]);
    expect(ids).toEqual([...builtinCatalog.codes]);
  });

  it('lists, under each code, the operations of the OpenAPI document that can answer with it', async () => {
    const section = (code: string) =>
      page.slice(page.indexOf(`<section id="${code}" `), page.indexOf('</section>', page.indexOf(`<section id="${code}" `)));
    expect(section('missing_dependent_data')).toContain('<dt>Operations</dt>');
    expect(section('missing_dependent_data')).toContain('<code>POST /v1/campaigns/{id}/pause</code>');
    expect(section('not_found')).toContain('<code>GET /v1/campaigns/{id}</code>');
    expect(section('unauthorized_request')).toContain('<code>GET /v1/me</code>');
    // A code no operation of this app returns has no Operations row.
    expect(section('app_not_approved')).not.toContain('<dt>Operations</dt>');
    // Every operation named is one the OpenAPI document has.
    const document = JSON.parse((await app.inject({ url: '/openapi.json' })).body) as {
      paths: Record<string, Record<string, unknown>>;
    };
    for (const [, method, path] of page.matchAll(/<code>(GET|POST|PUT|PATCH|DELETE) (\/[^<]*)<\/code>/g)) {
      expect(document.paths[path as string]?.[(method as string).toLowerCase()], `${method} ${path}`).toBeDefined();
    }
  });

  it('says, in each section, the status and title of its code', () => {
    for (const entry of builtinCatalog.entries) {
      const section = page.slice(
        page.indexOf(`<section id="${entry.code}" `),
        page.indexOf('</section>', page.indexOf(`<section id="${entry.code}" `)),
      );
      expect(section).toContain(`<span class="status">${entry.status} &middot; `);
      expect(section).toContain(`<dt>Status</dt><dd>${entry.status}</dd>`);
      expect(section).toContain(`<a href="#${entry.code}"><code>${entry.code}</code></a>`);
      // One example per profile, the active one open.
      for (const profile of profileNames) expect(section).toContain(`<summary>${profile} format</summary>`);
      expect(section).toContain('<details open><summary>problem format</summary>');
    }
  });

  it('has a status table with a row per status that links every code of that status', () => {
    expect(page).toContain('<h2 id="statuses">Statuses</h2>');
    expect(page).toContain('<table><thead><tr><th>Status</th><th>Name</th><th>Meaning</th><th>Codes</th></tr></thead>');
    const rows = new Map(
      [...page.matchAll(/<tr><td>(\d{3})<\/td><td>([^<]*)<\/td>.*?<\/tr>/g)].map((match) => [Number(match[1]), match[0]]),
    );
    expect([...rows.keys()]).toEqual(httpStatuses.map((row) => row.status));
    for (const status of httpStatuses) expect(rows.get(status.status)).toContain(`<td>${status.name}</td>`);
    for (const entry of builtinCatalog.entries) {
      expect({ code: entry.code, linked: rows.get(entry.status)?.includes(`<a href="#${entry.code}">`) }).toEqual({
        code: entry.code,
        linked: true,
      });
    }
  });

  it('opens the example of the app profile', async () => {
    const classic = await world.app('classic');
    const body = (await classic.inject({ url: '/docs/errors' })).body;
    expect(body).toContain('<details open><summary>classic format</summary>');
    expect(body).not.toContain('<details open><summary>problem format</summary>');
  });
});

describe('GET /docs/errors.json', () => {
  it('lists every catalog code with its status, in catalog order', async () => {
    const response = await app.inject({ url: '/docs/errors.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = json(response);
    expect(Object.keys(body).sort()).toEqual(['errors', 'statuses']);
    const errors = body['errors'] as Record<string, unknown>[];
    expect(errors.map((entry) => entry['code'])).toEqual([...builtinCatalog.codes]);
    for (const entry of errors) {
      const code = entry['code'] as string;
      expect(builtinCatalog.has(code)).toBe(true);
      expect(entry['status']).toBe(builtinCatalog.find(code)?.status);
      expect(entry['title']).toBe(builtinCatalog.find(code)?.title);
      expect(Object.keys(entry['written_as'] as object).sort()).toEqual([...profileNames].sort());
    }
    expect(body['statuses']).toEqual(httpStatuses);
  });

  it('says how each profile writes a code with a variant', async () => {
    const errors = json(await app.inject({ url: '/docs/errors.json' }))['errors'] as Record<string, unknown>[];
    const missing = errors.find((entry) => entry['code'] === 'missing_parameter');
    expect(missing?.['written_as']).toEqual({
      problem: 'missing_parameter',
      classic: 'missing_parameter',
      message: 'missing_parameter',
      oauth: 'invalid_request',
    });
  });
});

describe('problem+json type links', () => {
  it('points the type of a 404 at /docs/errors#not_found, an anchor that exists', async () => {
    const response = await app.inject({ url: '/v1/campaigns/999999', headers: bearer(world.demo.apiKey) });
    expect(response.statusCode).toBe(404);
    const type = json(response)['type'] as string;
    expect(type).toBe('/docs/errors#not_found');

    const [path, anchor] = type.split('#') as [string, string];
    const docs = await app.inject({ url: path });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain(`id="${anchor}"`);
  });

  it('points every error type this app sends at an anchor of the page', async () => {
    const responses = await Promise.all([
      app.inject({ url: '/v1/me' }),
      app.inject({ url: '/v1/me', headers: bearer('wrong') }),
      app.inject({ url: '/nowhere' }),
      app.inject({ method: 'DELETE', url: '/v1/me', headers: bearer(world.demo.apiKey) }),
      app.inject({ url: '/v1/campaigns?limit=0', headers: bearer(world.demo.apiKey) }),
      app.inject({ method: 'POST', url: '/v1/campaigns/1/pause', headers: bearer(world.demo.apiKey) }),
    ]);
    for (const response of responses) {
      const type = json(response)['type'] as string;
      expect(type.startsWith('/docs/errors#')).toBe(true);
      expect(page).toContain(`id="${type.split('#')[1]}"`);
    }
  });
});

describe('GET /healthz and GET /readyz', () => {
  it('answers /healthz 200 {status: "ok"} without credentials', async () => {
    const response = await app.inject({ url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json(response)).toEqual({ status: 'ok' });
  });

  it('answers /readyz 200 with a report while the database answers', async () => {
    const response = await app.inject({ url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual({ status: 'ready', database: 'ok', shedding: false, in_flight: 0 });
  });

  it('keeps /healthz at 200 but answers /readyz 503 service_unavailable with Retry-After when the database is gone', async () => {
    const broken = await openWorld();
    const brokenApp = await broken.app();
    try {
      await broken.db.destroy();
      expect((await brokenApp.inject({ url: '/healthz' })).statusCode).toBe(200);
      const response = await brokenApp.inject({ url: '/readyz' });
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toMatch(/^[1-5]$/);
      const body = json(response);
      expect(body).toMatchObject({
        code: 'service_unavailable',
        status: 503,
        detail: 'This instance is not ready: its database did not answer within 1000 ms.',
      });
      expect(response.body).not.toMatch(/sqlite|destroyed|driver|select/i);
    } finally {
      await broken.close();
    }
  });
});

describe('GET /docs/checks', () => {
  it('is the check reference of faultline check: a section per check under its id, in the words of its definition, locked down by its policy', async () => {
    const response = await app.inject({ url: '/docs/checks' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toBe(checkReferencePage());
    const csp = response.headers['content-security-policy'] as string;
    expect(csp).toBe(checkReferenceContentSecurityPolicy);
    const style = /<style>([\s\S]*?)<\/style>/.exec(response.body)?.[1] ?? '';
    expect(csp).toContain(`style-src 'sha256-${createHash('sha256').update(style).digest('base64')}';`);
    expect(response.body).not.toContain('<script');
    for (const check of checkDefinitions) {
      expect(count(response.body, `<section id="${check.id}">`)).toBe(1);
      expect(response.body).toContain(
        check.title
          .replace(/&/g, '&amp;')
          .replace(/</g, '&lt;')
          .replace(/>/g, '&gt;')
          .replace(/"/g, '&quot;')
          .replace(/'/g, '&#39;')
          .replace(/`([^`]+)`/g, '<code>$1</code>'),
      );
    }
  });
});
