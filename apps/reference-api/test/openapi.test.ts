import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinCatalog, profileNames, type ProfileName } from '@faultline/core';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintWithSpectral } from './spectral.js';
import { scopeDescriptions } from '../src/oauth/scopes.js';
import { bearer, json, openWorld, type World } from './support.js';

type Json = Record<string, unknown>;
interface Operation {
  operationId?: string;
  parameters?: { in: string; name: string }[];
  requestBody?: Json;
  security?: Json[];
  responses: Record<string, { headers?: Json; content?: Record<string, { examples?: Record<string, { $ref: string }> }> }>;
}
interface Document {
  openapi: string;
  info: Json;
  paths: Record<string, Record<string, Operation>>;
  components: {
    examples: Record<string, { value: Json }>;
    headers: Json;
    schemas: Json;
    responses: Json;
    securitySchemes: Json;
  };
}

const root = fileURLToPath(new URL('../../../', import.meta.url));
const httpMethods = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

/** The routes of Swagger UI itself (its page and static files), which it hides from the document. */
const apiReferenceRoutes = [
  'GET /docs',
  'GET /docs/',
  'GET /docs/*',
  'GET /docs/json',
  'GET /docs/static/index.html',
  'GET /docs/static/swagger-initializer.js',
  'GET /docs/yaml',
];

/** The OAuth2 endpoints (form bodies, HTML pages, RFC 6749 errors whatever the profile). */
const oauthRoutes = [
  'GET /oauth/authorize',
  'POST /oauth/consent',
  'POST /oauth/login',
  'POST /oauth/revoke',
  'POST /oauth/token',
];

let world: World;
let app: FastifyInstance;
let document: Document;
let temporary: string;

beforeAll(async () => {
  world = await openWorld();
  app = await world.app();
  document = JSON.parse((await app.inject({ url: '/openapi.json' })).body) as Document;
  temporary = mkdtempSync(join(tmpdir(), 'faultline-openapi-'));
});

afterAll(async () => {
  await world.close();
  rmSync(temporary, { recursive: true, force: true });
});

/** Every `METHOD /path` the app answers, read from `printRoutes`, with `:param` written `{param}`. */
function registeredRoutes(instance: FastifyInstance): string[] {
  const routes: string[] = [];
  const prefixes: string[] = [];
  for (const line of instance.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (match === null) continue;
    const depth = (match[1] as string).length / 4;
    const path = (prefixes[depth - 1] ?? '') + (match[2] as string);
    prefixes[depth] = path;
    prefixes.length = depth + 1;
    for (const method of (match[3] ?? '').split(', ').filter(Boolean)) {
      routes.push(`${method} ${path.replace(/:(\w+)/g, '{$1}')}`);
    }
  }
  return routes.sort();
}

function operations(doc: Document): [string, string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => httpMethods.has(method))
      .map(([method, operation]): [string, string, Operation] => [method, path, operation]),
  );
}

/** The code an example body carries, in whichever profile wrote it. */
function codeOf(body: Json): unknown {
  return 'code' in body ? body['code'] : body['error'];
}

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document, served as JSON without credentials', async () => {
    const response = await app.inject({ url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers['x-request-id']).toBeTypeOf('string');
    expect(document.openapi).toMatch(/^3\.1\.\d+$/);
    expect(document.info['title']).toBe('Faultline reference API');
  });

  it('documents every route the app registers, with the same methods, and nothing else', () => {
    const registered = registeredRoutes(app);
    const documented = operations(document).map(([method, path]) => `${method.toUpperCase()} ${path}`);
    // HEAD is Fastify's automatic twin of each GET, described as one with no body.
    const heads = registered.filter(
      (route) => route.startsWith('HEAD ') && !apiReferenceRoutes.includes(route.replace(/^HEAD/, 'GET')),
    );
    for (const head of heads) expect(registered).toContain(head.replace(/^HEAD/, 'GET'));
    expect(heads).toContain('HEAD /v1/campaigns/{id}');
    const expected = registered.filter((route) => !apiReferenceRoutes.includes(route.replace(/^HEAD/, 'GET')));
    expect(documented.sort()).toEqual(expected);
    expect(expected).toEqual(expect.arrayContaining(['POST /v1/campaigns/{id}/recipients', ...oauthRoutes, ...heads]));
    expect(expected.length).toBeGreaterThanOrEqual(13);
    // Swagger UI's own routes are the only ones left out.
    for (const route of apiReferenceRoutes) expect(registered).toContain(route);
    for (const head of heads) {
      const operation = document.paths[head.slice(5)]?.['head'];
      const get = document.paths[head.slice(5)]?.['get'];
      expect(Object.keys(operation?.responses ?? {}), head).toEqual(Object.keys(get?.responses ?? {}));
      for (const [status, response] of Object.entries(operation?.responses ?? {}))
        expect(response.content, `${head} ${status}`).toBeUndefined();
    }
  });

  it('gives every operation an id, a summary and a success response', () => {
    const ids = new Set<string>();
    for (const [method, path, operation] of operations(document)) {
      expect(operation.operationId, `${method} ${path}`).toBeTypeOf('string');
      ids.add(operation.operationId as string);
      expect(
        Object.keys(operation.responses).some((status) => status.startsWith('2')),
        `${method} ${path}`,
      ).toBe(true);
    }
    expect(ids.size).toBe(operations(document).length);
  });

  it('protects every /v1 operation but logging in, and documents its 401 with WWW-Authenticate', () => {
    // HEAD operations are their GET twins without bodies (checked above), so their codes are read from the GET.
    const v1 = operations(document).filter(([method, path]) => path.startsWith('/v1/') && method !== 'head');
    // The routes themselves are checked against the document below; here, that the account routes are in it.
    expect(v1.map(([method, path]) => `${method} ${path}`)).toEqual(
      expect.arrayContaining(['post /v1/sessions', 'delete /v1/sessions/current', 'get /v1/users', 'post /v1/api-keys']),
    );
    for (const [method, path, operation] of v1) {
      const name = `${method} ${path}`;
      const login = name === 'post /v1/sessions';
      const scope = operation.security?.find((requirement) => 'oauth2' in requirement);
      expect(operation.security?.slice(0, 2), name).toEqual(login ? [] : [{ apiKeyBearer: [] }, { apiKeyBasic: [] }]);
      // An OAuth token is accepted where a scope grants the operation: campaigns, recipients and /v1/me.
      const scoped = path === '/v1/me' || path.startsWith('/v1/campaigns');
      expect(scope, name).toEqual(
        scoped ? { oauth2: [expect.stringMatching(/^(account|campaigns|recipients):(read|write)$/)] } : undefined,
      );
      const unauthorized = operation.responses['401'];
      expect(unauthorized, name).toBeDefined();
      expect(unauthorized?.headers?.['WWW-Authenticate'], name).toEqual({ $ref: '#/components/headers/WwwAuthenticate' });
      const examples = Object.keys(unauthorized?.content?.['application/problem+json']?.examples ?? {});
      expect(examples.sort(), name).toEqual(
        login ? ['invalid_credentials'] : ['invalid_api_key', 'invalid_token', 'session_expired', 'unauthorized_request'],
      );
    }
    for (const [method, path, operation] of operations(document).filter(([, path]) => !path.startsWith('/v1/'))) {
      expect(operation.security, `${method} ${path}`).toEqual([]);
      // The token endpoints answer a client that failed to authenticate with 401 invalid_client.
      if (path === '/oauth/token' || path === '/oauth/revoke') continue;
      expect(operation.responses['401'], `${method} ${path}`).toBeUndefined();
    }
    expect(document.components.securitySchemes).toMatchObject({
      apiKeyBearer: { type: 'http', scheme: 'bearer' },
      apiKeyBasic: { type: 'http', scheme: 'basic' },
      oauth2: {
        type: 'oauth2',
        flows: {
          authorizationCode: { authorizationUrl: '/oauth/authorize', tokenUrl: '/oauth/token', scopes: scopeDescriptions },
          clientCredentials: { tokenUrl: '/oauth/token' },
        },
      },
    });
  });

  it('documents the account 403s: user_not_admin on the admin routes, not_authorized on writes, insufficient_scope where a scope is needed', () => {
    for (const [method, path, operation] of operations(document).filter(
      ([each, path]) => path.startsWith('/v1/') && each !== 'head',
    )) {
      const name = `${method} ${path}`;
      const codes = Object.keys(operation.responses['403']?.content?.['application/problem+json']?.examples ?? {});
      if (name === 'post /v1/sessions') {
        expect(codes, name).toEqual(['user_is_disabled']);
        continue;
      }
      expect(codes, name).toContain('user_is_disabled');
      expect(codes.includes('user_not_admin'), name).toBe(
        path.startsWith('/v1/users') || path.startsWith('/v1/api-keys') || path.startsWith('/v1/oauth-apps'),
      );
      if (path === '/v1/sessions/current') continue;
      expect(codes, name).toEqual(expect.arrayContaining(['team_blocked', 'missing_subscription', 'missing_team_admin']));
      const admin = path.startsWith('/v1/users') || path.startsWith('/v1/api-keys') || path.startsWith('/v1/oauth-apps');
      // Writes refuse read-only keys; admin routes refuse every OAuth token; the rest need a scope
      // (and /v1/me refuses a client-credentials token, which acts for no user).
      expect(codes.includes('not_authorized'), name).toBe(admin || (method !== 'get' && method !== 'head') || path === '/v1/me');
      expect(codes.includes('insufficient_scope'), name).toBe(!admin);
    }
  });

  it('documents 400 with invalid_parameter on every operation with a schema', () => {
    let withSchema = 0;
    for (const [method, path, operation] of operations(document)) {
      // The OAuth endpoints refuse parameters with RFC 6749 errors or pages, never validation errors.
      if (path.startsWith('/oauth/') || method === 'head') continue;
      if ((operation.parameters ?? []).length === 0 && operation.requestBody === undefined) continue;
      withSchema += 1;
      const examples = operation.responses['400']?.content?.['application/problem+json']?.examples ?? {};
      expect(Object.keys(examples), `${method} ${path}`).toContain('invalid_parameter');
    }
    // Every operation of the account, campaign and recipient routes has a parameter or a body.
    expect(withSchema).toBeGreaterThanOrEqual(12);
    const create = document.paths['/v1/campaigns']?.['post'];
    expect(Object.keys(create?.responses['400']?.content?.['application/problem+json']?.examples ?? {}).sort()).toEqual([
      // A malformed Idempotency-Key.
      'invalid_idempotency_key',
      'invalid_parameter',
      'invalid_request',
      'missing_parameter',
      // A scheduled_at in the past.
      'unspecified_error',
    ]);
  });

  it('puts x-request-id on every response, Retry-After on 503 and Location on 201 of a new campaign', () => {
    for (const [method, path, operation] of operations(document)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        expect(response.headers?.['x-request-id'], `${method} ${path} ${status}`).toEqual({
          $ref: '#/components/headers/RequestId',
        });
      }
    }
    expect(document.paths['/readyz']?.['get']?.responses['503']?.headers?.['Retry-After']).toBeDefined();
    // Liveness needs no database and is never shed; only the per-address cap (MAX_REQUESTS_PER_CLIENT) can refuse it.
    expect(document.paths['/healthz']?.['get']?.responses['503']?.headers?.['Retry-After']).toBeDefined();
    expect(document.paths['/v1/campaigns']?.['post']?.responses['201']?.headers?.['Location']).toBeDefined();
    expect(document.paths['/v1/campaigns/{id}/pause']?.['post']?.responses['409']).toBeDefined();
    expect(document.components.responses['MethodNotAllowed']).toMatchObject({
      headers: { Allow: { $ref: '#/components/headers/Allow' } },
    });
  });

  it('documents each operation’s success body from the route schema', () => {
    const list = document.paths['/v1/campaigns']?.['get']?.responses['200'] as Json;
    expect(list).toMatchObject({
      content: { 'application/json': { schema: { required: ['data', 'next_cursor'] } } },
    });
    expect(document.paths['/v1/campaigns/{id}']?.['delete']?.responses['204']?.content).toBeUndefined();
  });
});

describe('what the document derives from the routes and the catalog', () => {
  it('lists every tag an operation uses, and no other', () => {
    const used = new Set(operations(document).flatMap(([, , operation]) => (operation as { tags?: string[] }).tags ?? []));
    expect((document as unknown as { tags: { name: string }[] }).tags.map((tag) => tag.name).sort()).toEqual([...used].sort());
    expect(used).toContain('oauth');
  });

  it('declares ETag on 412, WWW-Authenticate on 403 where a code sends it, Cache-Control on the token endpoint', () => {
    const patch = document.paths['/v1/campaigns/{id}']?.['patch'];
    expect(patch?.responses['412']?.headers?.['ETag']).toEqual({ $ref: '#/components/headers/ETag' });
    // Only insufficient_scope of the 403 codes carries a challenge: declared, not required.
    expect(patch?.responses['403']?.headers?.['WWW-Authenticate']).toMatchObject({ required: false });
    const token = document.paths['/oauth/token']?.['post'];
    expect(token?.responses['401']?.headers?.['WWW-Authenticate']).toEqual({ $ref: '#/components/headers/WwwAuthenticate' });
    expect(token?.responses['400']?.headers?.['Cache-Control']).toEqual({ $ref: '#/components/headers/CacheControl' });
    expect(Object.keys(token?.responses['400']?.content ?? {})).toEqual(['application/json']);
  });

  it('bounds Retry-After by the longest wait the app can ask for: the monthly quota’s reset', () => {
    const retryAfter = document.components.headers['RetryAfter'] as { schema: { maximum: number } };
    expect(retryAfter.schema.maximum).toBe(31 * 24 * 60 * 60);
    expect(document.paths['/v1/campaigns/{id}/recipients']?.['post']?.responses['429']?.headers?.['Retry-After']).toBeDefined();
  });

  it('describes each extension member the catalog declares in the Problem schema', () => {
    const problem = document.components.schemas['Problem'] as {
      properties: Record<string, { type: string; description: string }>;
    };
    for (const entry of builtinCatalog.entries) {
      for (const [name, member] of Object.entries(entry.extensions)) {
        expect(problem.properties[name], `${entry.code} ${name}`).toMatchObject({ type: member.schema.type });
        expect(problem.properties[name]?.description).toContain(`\`${entry.code}\``);
      }
    }
    expect(Object.keys(problem.properties)).toEqual(
      expect.arrayContaining(['existing_campaign', 'scope', 'quota', 'resets_at', 'policy']),
    );
  });
});

describe('error examples', () => {
  for (const profile of profileNames) {
    it(`are written in the ${profile} profile, with catalog codes only, and every reference resolves`, async () => {
      const profileApp = await world.app(profile);
      const doc = JSON.parse((await profileApp.inject({ url: '/openapi.json' })).body) as Document;
      const examples = doc.components.examples;
      expect(Object.keys(examples).length).toBeGreaterThan(10);
      for (const [name, example] of Object.entries(examples)) {
        const code = codeOf(example.value);
        expect(typeof code === 'string' && builtinCatalog.has(code), `${name}: ${String(code)}`).toBe(true);
      }
      for (const [method, path, operation] of operations(doc)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          for (const [mediaType, content] of Object.entries(response.content ?? {})) {
            for (const reference of Object.values(content.examples ?? {})) {
              const name = reference.$ref.replace('#/components/examples/', '');
              const example = examples[name];
              expect(example, `${method} ${path} ${status} ${mediaType}`).toBeDefined();
              if (status.startsWith('4') || status.startsWith('5')) {
                expect((example?.value as { status?: number }).status ?? Number(status)).toBe(Number(status));
              }
            }
          }
          // The OAuth endpoints answer in the oauth format (or with pages) whatever the profile; HEAD has no body.
          if (profile !== 'problem' && /^[45]/.test(status) && !path.startsWith('/oauth/') && method !== 'head') {
            expect(Object.keys(response.content ?? {}).sort()).toEqual(['application/json', 'application/problem+json']);
          }
        }
      }
    });
  }

  it('look like what the server sends: same members, same code', async () => {
    const examples = document.components.examples;
    const cases: [string, Promise<{ body: string; headers: Json }>][] = [
      ['unauthorized_request', app.inject({ url: '/v1/me' })],
      ['invalid_api_key', app.inject({ url: '/v1/me', headers: bearer('flk_typo') })],
      ['not_found', app.inject({ url: '/v1/campaigns/999999', headers: bearer(world.demo.apiKey) })],
      ['invalid_parameter', app.inject({ url: '/v1/campaigns/abc', headers: bearer(world.demo.apiKey) })],
      [
        'missing_parameter',
        app.inject({ method: 'POST', url: '/v1/campaigns', headers: bearer(world.demo.apiKey), payload: {} }),
      ],
    ];
    for (const [code, request] of cases) {
      const response = await request;
      const body = json(response as Parameters<typeof json>[0]);
      const example = examples[code]?.value as Json;
      expect(Object.keys(body).sort(), code).toEqual(Object.keys(example).sort());
      expect(body['code']).toBe(example['code']);
      expect(body['type']).toBe(example['type']);
    }
  });
});

describe('GET /docs', () => {
  it('serves Swagger UI from this server only, under a content security policy', async () => {
    const response = await app.inject({ url: '/docs' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('<title>Faultline reference API</title>');
    expect(response.body).not.toContain('Swagger UI</title>');
    const assets = [...response.body.matchAll(/(?:src|href)="([^"]*)"/g)].map((match) => match[1] as string);
    expect(assets.length).toBeGreaterThanOrEqual(4);
    // No absolute URL at all, so nothing is fetched from another host (no CDN, no fonts).
    expect(response.body).not.toMatch(/https?:\/\//);
    expect(response.body).not.toMatch(/(?:src|href)="\/\//);
    for (const asset of assets) {
      expect(asset, asset).toMatch(/^\/docs\//);
      const file = await app.inject({ url: asset });
      expect(file.statusCode, asset).toBe(200);
    }
    const csp = response.headers['content-security-policy'] as string;
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toMatch(/https?:|validator/);
    // The page loads the document from this server, and asks no online validator.
    const initializer = await app.inject({ url: '/docs/static/swagger-initializer.js' });
    expect(initializer.body).toContain('"validatorUrl":null');
    expect(initializer.body).toContain("resolveUrl('./json')");
    const spec = await app.inject({ url: '/docs/json' });
    expect(JSON.parse(spec.body)).toEqual(document);
  });

  it('answers a missing static file with 404, not 405', async () => {
    const response = await app.inject({ url: '/docs/static/missing.js' });
    expect(response.statusCode).toBe(404);
    expect(json(response)['code']).toBe('not_found');
    const wrongMethod = await app.inject({ method: 'DELETE', url: '/docs/static/index.css' });
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers['allow']).toBe('GET, HEAD');
  });
});

describe('lint', () => {
  const write = (profile: ProfileName, doc: Document) => {
    const file = join(temporary, `openapi-${profile}.json`);
    writeFileSync(file, JSON.stringify(doc, null, 2));
    return file;
  };
  const offline = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };

  it('passes @redocly/cli lint with the recommended rules: no errors', () => {
    const file = write('problem', document);
    const result = spawnSync(
      process.execPath,
      [
        join(root, 'node_modules/@redocly/cli/bin/cli.js'),
        'lint',
        '--config',
        join(root, 'redocly.yaml'),
        '--format',
        'json',
        file,
      ],
      { cwd: temporary, env: offline, encoding: 'utf8', timeout: 60_000 },
    );
    const report = JSON.parse(result.stdout) as {
      totals: { errors: number; warnings: number };
      problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
    };
    const errors = report.problems.filter((problem) => problem.severity === 'error');
    expect(errors.map((error) => `${error.ruleId} ${error.location[0]?.pointer}: ${error.message}`)).toEqual([]);
    expect(report.totals.errors).toBe(0);
    expect(result.status).toBe(0);
  }, 120_000);

  it('passes Spectral with spectral:oas and the OWASP ruleset: no errors', () => {
    const { findings: results, status } = lintWithSpectral(write('problem', document));
    const errors = results.filter((finding) => finding.severity === 0);
    expect(errors.map((error) => `${error.code} ${error.path.join('.')}: ${error.message}`)).toEqual([]);
    // Warnings are allowed, but the OWASP ruleset must have run.
    expect(results.some((finding) => finding.code.startsWith('owasp:'))).toBe(true);
    expect(status).toBe(0);
    // Spectral's OWASP rules walk every operation; on a loaded machine that takes tens of seconds.
  }, 120_000);
});
