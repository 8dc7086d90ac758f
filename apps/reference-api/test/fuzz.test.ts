/**
 * Bad input, property-based: whatever arrives (method, path, media type,
 * body, bytes on the socket), the API answers with a 2xx or a 4xx, every
 * error is a catalog code in JSON, nothing about the implementation leaks
 * out, and the server stays up.
 */
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { builtinCatalog, type ProfileName } from '@faultline/core';
import fc from 'fast-check';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertCampaign, openWorld, type World } from './support.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const wellFormedRequestId = /^[A-Za-z0-9._:-]{1,128}$/;
const mebibyte = 1024 * 1024;
const profiles: readonly ProfileName[] = ['problem', 'classic', 'message', 'oauth'];
/** `FUZZ_SEED=<seed printed by a failure>` replays a failing run; `FUZZ_RUNS=<n>` runs each property n times. */
const seed = process.env['FUZZ_SEED'] === undefined ? {} : { seed: Number(process.env['FUZZ_SEED']) };
const runs = (usual: number): number => Number(process.env['FUZZ_RUNS'] ?? usual);
const propertyTimeout = { timeout: process.env['FUZZ_RUNS'] === undefined ? 60_000 : 3_600_000 };

let world: World;
let apps: Record<ProfileName, FastifyInstance>;
/** The problem-profile app, also listening on a real port. */
let server: FastifyInstance;
let port: number;
let ownCampaign: number;
let otherCampaign: number;

beforeAll(async () => {
  world = await openWorld();
  apps = {} as Record<ProfileName, FastifyInstance>;
  for (const profile of profiles) apps[profile] = await world.app(profile);
  server = apps.problem;
  await server.listen({ port: 0, host: '127.0.0.1' });
  port = (server.server.address() as AddressInfo).port;
  ownCampaign = await insertCampaign(world.db, world.demo.teamId, 'Mine', 'active');
  otherCampaign = await insertCampaign(world.db, world.other.teamId, 'Theirs', 'active');
});

afterAll(async () => {
  await world.close();
});

// --- What no response may contain ---------------------------------------------

/**
 * Signs of an implementation leaking out. V8's JSON syntax errors say
 * "in JSON at position N" or "after JSON at position N", which the 400 for a
 * malformed body quotes on purpose; that phrase is taken out before looking for " at ".
 */
const jsonPosition = / (?:in|after) JSON at position \d+/g;

function leak(text: string, prose = false): string | undefined {
  const cleaned = text.replace(jsonPosition, '');
  // The error reference is English prose ("resets at the start of next month"): there, only a stack frame counts.
  if (prose ? /\bat \S+ \(|\n\s+at \S/.test(cleaned) : cleaned.includes(' at ')) return ' at ';
  for (const needle of [
    '/work',
    'node_modules',
    '.ts:',
    '.js:',
    'SELECT',
    'INSERT INTO',
    'undefined',
    'NaN',
    '[object Object]',
  ]) {
    if (cleaned.includes(needle)) return needle;
  }
  if (/sqlite/i.test(cleaned)) return 'sqlite';
  return undefined;
}

/** Inputs are kept free of those signs, since error details may quote a path, a media type or a bit of the body. */
const clean = (text: string): boolean =>
  !/ at |\/work|node_modules|\.ts:|\.js:|select|insert into|sqlite|undefined|nan|\[object object\]/i.test(text);

interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | number | undefined>>;
  readonly body: string;
}

/** Every check that holds for any response to any request. */
function checkAnswer(answer: Answer, sent: { method: string; url?: string; requestId?: string | undefined }): void {
  const where = `${sent.method} → ${answer.status} ${answer.body.slice(0, 300)}`;
  expect(answer.status, where).toBeGreaterThanOrEqual(200);
  expect(answer.status, where).toBeLessThan(500);

  const requestId = answer.headers['x-request-id'];
  expect(typeof requestId, where).toBe('string');
  if (sent.requestId !== undefined && wellFormedRequestId.test(sent.requestId)) expect(requestId, where).toBe(sent.requestId);
  else expect(requestId, where).toMatch(uuid);

  const docs =
    answer.status < 400 &&
    (String(answer.headers['content-type']).startsWith('text/html') || answer.body.startsWith('{"statuses":'));
  expect(leak(answer.body, docs), where).toBeUndefined();
  for (const [name, value] of Object.entries(answer.headers)) expect(leak(`${name}: ${String(value)}`), where).toBeUndefined();

  if (answer.status >= 400) {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(answer.body) as Record<string, unknown>;
    } catch {
      throw new Error(`The error body is not JSON: ${where}`);
    }
    expect(typeof body, where).toBe('object');
    const code = (body['code'] ?? body['error']) as string;
    expect(builtinCatalog.has(code), `${where}: "${code}" is not a catalog code`).toBe(true);
    expect(String(answer.headers['content-type']), where).toMatch(/^application\/(problem\+)?json$/);
    if (String(answer.headers['content-type']).startsWith('application/problem+json')) {
      expect(body['status'], where).toBe(answer.status);
      expect(body['type'], where).toBe(`/docs/errors#${code}`);
      expect(body['request_id'], where).toBe(requestId);
    }
    // The OAuth token and revocation endpoints authenticate clients with HTTP Basic (RFC 6749 §2.3.1).
    const challenge = sent.url?.startsWith('/oauth/') === true ? /^Basic realm="faultline"/ : /^Bearer realm="faultline"/;
    if (answer.status === 401) expect(answer.headers['www-authenticate'], where).toMatch(challenge);
    if (answer.status === 405) expect(answer.headers['allow'], where).toMatch(/^[A-Z]+(, [A-Z]+)*$/);
  }
}

// --- Arbitraries ---------------------------------------------------------------

const knownSegments = [
  'v1',
  'campaigns',
  'me',
  'recipients',
  'pause',
  'resume',
  'healthz',
  'readyz',
  'docs',
  'errors',
  'errors.json',
  '..',
  '.',
  '',
  '%zz',
  '%',
  '%2',
  '%2e%2e',
  '%2F',
  '%00',
  '%C0%AF',
  '%E2%82',
  '%ff',
  '%u0041',
  '1',
  '0',
  '-1',
  '999999',
  '2147483648',
  '99999999999999999999999',
  '1e3',
  '0x10',
  '1.5',
  '__proto__',
  'constructor',
  'prototype',
  ';',
  '*',
  '~',
  "'",
  '"',
  '<script>',
  'ünïcødé',
  '🦄',
  '日本',
] as const;

const segment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...knownSegments) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }).map(encodeURIComponent) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 12 }).map((text) => text.replace(/[\s?#]/g, '_')) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.constantFrom('a'.repeat(101), 'é'.repeat(300), '9'.repeat(400)) },
);

const base = (): fc.Arbitrary<string> =>
  fc.constantFrom(
    '',
    '/',
    '/v1',
    '/v1/me',
    '/v1/campaigns',
    `/v1/campaigns/${ownCampaign}`,
    `/v1/campaigns/${otherCampaign}`,
    `/v1/campaigns/${ownCampaign}/pause`,
    `/v1/campaigns/${ownCampaign}/resume`,
    `/v1/campaigns/${ownCampaign}/recipients`,
    `/v1/campaigns/${otherCampaign}/recipients`,
    '/v1/campaigns/999999/pause',
    '/v1/sessions',
    '/v1/sessions/current',
    '/v1/users',
    // Ids no row has: a fuzzed DELETE or PATCH must not revoke or disable the demo key the later checks use.
    '/v1/users/999999',
    '/v1/api-keys',
    '/v1/api-keys/999999',
    '/v1/oauth-apps',
    '/v1/oauth-apps/999999',
    '/oauth/token',
    '/oauth/revoke',
    '/healthz',
    '/readyz',
    '/docs/errors',
    '/docs/errors.json',
  );

const queryValue = fc.oneof(
  fc.constantFrom('1', '20', '100', '101', '0', '-1', 'abc', '', '1.5', '%zz', 'aWQ6MQ', 'aWQ6LTE', 'x'.repeat(65)),
  fc.string({ unit: 'grapheme', maxLength: 10 }).map(encodeURIComponent),
);
const query = fc
  .array(fc.tuple(fc.constantFrom('limit', 'cursor', 'page', '__proto__', 'constructor', 'limit[]', '', 'a%zz'), queryValue), {
    maxLength: 3,
  })
  .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([key, value]) => `${key}=${value}`).join('&')}`));

/** A request path: a real route, maybe with more segments, a query, or made very long. */
const path = (maxLongPath: number): fc.Arbitrary<string> =>
  fc
    .tuple(
      base(),
      fc.array(segment, { maxLength: 4 }),
      query,
      fc.oneof({ weight: 9, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(2_000, maxLongPath) }),
    )
    .map(([start, segments, search, long]) => {
      const joined = [start, ...segments].join('/').replace(/^(?!\/)/, '/');
      return `${joined}${long > 0 ? `/${'seg/'.repeat(long / 4)}` : ''}${search}`;
    })
    .filter(clean);

const contentType = fc.option(
  fc.oneof(
    fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'APPLICATION/JSON',
      'application/json;;;',
      'application/jsonx',
      'application/problem+json',
      'text/plain',
      'text/plain; charset=utf-8',
      'application/xml',
      'text/xml',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      '*/*',
      'garbage',
      ';;;',
      '',
      ' ',
    ),
    fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).filter(clean),
  ),
  { nil: undefined },
);

const nested = (depth: number, open: string, leaf: string, close: string) => open.repeat(depth) + leaf + close.repeat(depth);
const jsonOfSize = (bytes: number) => `{"name":"${'x'.repeat(bytes - 11)}"}`;

/** Big bodies are made once: generating and shrinking them per run would be slow. */
const bigBodies = (): string[] => [
  jsonOfSize(mebibyte - 64),
  jsonOfSize(mebibyte),
  jsonOfSize(mebibyte + 1),
  jsonOfSize(2 * mebibyte),
  `{"recipients":[${Array.from({ length: 12_000 }, (_, index) => `{"email":"r${index}@example.com"}`).join(',')}]}`,
  `{"recipients":[{"email":"a@example.com","name":"${'n'.repeat(5 * mebibyte)}"}]}`,
  `"${'\\u00e9'.repeat(200_000)}"`,
];

const deepBodies = (maxDepth: number): string[] =>
  [1_000, maxDepth].flatMap((depth) => [
    nested(depth, '[', '', ']'),
    nested(depth, '{"a":', '1', '}'),
    `{"name":${nested(depth, '[', '"x"', ']')}}`,
    `{"recipients":${nested(depth, '[', '{}', ']')}}`,
    `{"recipients":[{"email":${nested(depth, '{"e":', '"a@b.co"', '}')}}]}`,
    '['.repeat(depth),
    '{"a":'.repeat(depth),
  ]);

const prototypeBodies = [
  '{"__proto__":{"polluted":true}}',
  '{"name":"x","__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"name":"x","constructor":{"prototype":{"polluted":true}}}',
  '{"recipients":[{"email":"a@example.com","__proto__":{"polluted":true}}]}',
  '{"\\u005f\\u005fproto__":{"polluted":true}}',
  '[{"constructor":{"prototype":{"polluted":true}}}]',
  '{"a":{"b":{"__proto__":{"polluted":true}}}}',
  '{"constructor":{"polluted":true}}',
  '{"__proto__":null}',
];

const invalidUtf8 = [
  [0xff, 0xfe],
  [0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d], // {"name":"\xc3("}
  [0x22, 0xc0, 0xaf, 0x22], // overlong "/"
  [0x22, 0xed, 0xa0, 0x80, 0x22], // a lone surrogate
  [0x22, 0xe2, 0x82, 0x22], // cut-short sequence
  [0x22, 0xf4, 0x90, 0x80, 0x80, 0x22], // above U+10FFFF
].map((bytes) => Buffer.from(bytes));

const mutate = (text: string) =>
  fc
    .tuple(fc.nat(text.length), fc.constantFrom('', '{', '}', '[', ']', '"', ',', ':', '\\', '\u0000', 'x', 'NaN', '\ud800'))
    .map(([at, insert]) => text.slice(0, at) + insert + text.slice(at + 1));

const apiLikeBody = fc.oneof(
  fc.record({ name: fc.oneof(fc.string({ maxLength: 220 }), fc.jsonValue()) }, { requiredKeys: [] }),
  fc.record({
    recipients: fc.array(
      fc.record(
        { email: fc.oneof(fc.emailAddress(), fc.string({ maxLength: 30 })), name: fc.option(fc.string({ maxLength: 20 })) },
        { requiredKeys: [] },
      ),
      { maxLength: 5 },
    ),
  }),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
);

/** A body: nothing, JSON, broken JSON, deep, big, poisonous, not UTF-8, or random bytes. */
const body = (options: { big: boolean; maxDepth: number }): fc.Arbitrary<string | Buffer | undefined> => {
  const choices: fc.WeightedArbitrary<string | Buffer | undefined>[] = [
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: fc.json({ maxDepth: 3 }) },
    { weight: 4, arbitrary: apiLikeBody.map((value) => JSON.stringify(value)) },
    { weight: 2, arbitrary: fc.json({ maxDepth: 3 }).chain((text) => fc.nat(text.length).map((cut) => text.slice(0, cut))) },
    { weight: 2, arbitrary: apiLikeBody.map((value) => JSON.stringify(value)).chain(mutate) },
    { weight: 2, arbitrary: fc.constantFrom(...deepBodies(options.maxDepth)) },
    { weight: 2, arbitrary: fc.constantFrom(...prototypeBodies) },
    { weight: 2, arbitrary: fc.constantFrom(...invalidUtf8) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('', ' ', 'null', 'true', '0', '""', '[]', '{}', '\ufeff{}', '{"name":"x"}{"name":"y"}'),
    },
  ];
  if (options.big) choices.push({ weight: 2, arbitrary: fc.constantFrom(...bigBodies()) });
  return fc.oneof(...choices).filter((value) => value === undefined || clean(Buffer.from(value).toString('latin1')));
};

const authorization = (): fc.Arbitrary<string | undefined> =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constant(`Bearer ${world.demo.apiKey}`) },
    { weight: 1, arbitrary: fc.constant(`Basic ${Buffer.from(`:${world.demo.apiKey}`).toString('base64')}`) },
    { weight: 1, arbitrary: fc.constant(`Bearer ${world.other.apiKey}`) },
    { weight: 1, arbitrary: fc.constantFrom(undefined, 'Bearer', 'Bearer flk_nope', 'Basic !!!', 'Digest x') },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 30 }).filter(clean) },
  );

const accept = fc.option(
  fc.constantFrom('application/problem+json', 'application/json', '*/*', 'text/html', 'application/problem+json;q=0'),
  {
    nil: undefined,
  },
);

const requestId = fc.option(
  fc.oneof(
    fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/),
    fc.string({ unit: 'grapheme-ascii', maxLength: 140 }).filter(clean),
    fc.constant('x'.repeat(129)),
  ),
  { nil: undefined },
);

const injectable = (url: string): boolean => {
  try {
    return new URL(url, 'http://localhost').host === 'localhost';
  } catch {
    return false;
  }
};

// --- A raw HTTP/1.1 client ------------------------------------------------------

interface RawAnswer extends Answer {
  readonly raw: string;
}

/** Sends bytes to the server and reads the first response until the server closes. */
function rawExchange(request: Buffer, timeout = 10_000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ port, host: '127.0.0.1' });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(`No complete answer within ${timeout} ms to ${JSON.stringify(request.subarray(0, 200).toString('latin1'))}`),
      );
    }, timeout);
    const finish = () => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks);
      try {
        resolve(parseResponse(raw));
      } catch (error) {
        reject(new Error(`${(error as Error).message} for ${JSON.stringify(request.subarray(0, 200).toString('latin1'))}`));
      }
    };
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', finish);
    socket.write(request);
  });
}

function parseResponse(raw: Buffer): RawAnswer {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) throw new Error(`No HTTP response head in ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3}) /.exec(statusLine);
  if (match === null) throw new Error(`Not an HTTP status line: ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  let bodyBytes = raw.subarray(Buffer.byteLength(text.slice(0, end + 4), 'latin1'));
  if (headers['transfer-encoding'] === 'chunked') {
    const parts: Buffer[] = [];
    let at = 0;
    for (;;) {
      const lineEnd = bodyBytes.indexOf('\r\n', at);
      const size = Number.parseInt(bodyBytes.subarray(at, lineEnd).toString('latin1'), 16);
      if (!(size > 0)) break;
      parts.push(bodyBytes.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
    bodyBytes = Buffer.concat(parts);
  } else if (headers['content-length'] !== undefined) {
    bodyBytes = bodyBytes.subarray(0, Number(headers['content-length']));
  }
  return { status: Number(match[1]), headers, body: bodyBytes.toString('utf8'), raw: text };
}

function requestBytes(
  method: string,
  target: string,
  headers: Record<string, string | undefined>,
  payload: string | Buffer | undefined,
): Buffer {
  const bodyBytes = payload === undefined ? Buffer.alloc(0) : Buffer.from(payload);
  const lines = [`${method} ${target} HTTP/1.1`, `host: 127.0.0.1:${port}`, 'connection: close'];
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) lines.push(`${name}: ${value}`);
  if (payload !== undefined) lines.push(`content-length: ${bodyBytes.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8'), bodyBytes]);
}

// --- The properties -------------------------------------------------------------

describe('bad input through app.inject', () => {
  it('always answers 2xx or 4xx, with a catalog code, leaking nothing', propertyTimeout, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          profile: fc.constantFrom(...profiles),
          method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND', 'SEARCH', 'COPY'),
          // light-my-request resolves the URL against http://localhost: one it cannot (`/\\x`
          // reads as `//x`) is sent over the raw socket below instead.
          url: path(20_000).filter(injectable),
          contentType,
          body: body({ big: true, maxDepth: 10_000 }),
          authorization: authorization(),
          accept,
          requestId,
        }),
        async (sent) => {
          const headers: Record<string, string> = {};
          if (sent.contentType !== undefined) headers['content-type'] = sent.contentType;
          if (sent.authorization !== undefined) headers['authorization'] = sent.authorization;
          if (sent.accept !== undefined) headers['accept'] = sent.accept;
          if (sent.requestId !== undefined) headers['x-request-id'] = sent.requestId;
          const options: InjectOptions = { method: sent.method as 'GET', url: sent.url, headers };
          if (sent.body !== undefined) options.payload = sent.body;
          const response = await apps[sent.profile].inject(options);
          checkAnswer({ status: response.statusCode, headers: response.headers, body: response.body }, sent);
          // Nothing reached a prototype, and the server still answers: checked inside the property, so
          // a failure names the input and prints the seed.
          expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
          expect(Object.prototype).not.toHaveProperty('polluted');
          const health = await apps[sent.profile].inject({ url: '/healthz' });
          expect(health.statusCode).toBe(200);
          expect(JSON.parse(health.body)).toEqual({ status: 'ok' });
        },
      ),
      { numRuns: runs(1_000), ...seed },
    );
  });
});

describe('bad input over a real socket', () => {
  const oddMethods = [
    'PROPFIND',
    'PROPPATCH',
    'MKCOL',
    'COPY',
    'MOVE',
    'LOCK',
    'UNLOCK',
    'SEARCH',
    'REPORT',
    'PURGE',
    'TRACE',
    'QUERY',
  ];
  const brokenMethods = ['BREW', 'FOO', 'get', 'Get', 'GETT', 'PO$T', '1GET'];

  /** A request-target as it goes on the wire: raw `..`, raw UTF-8, bad escapes. */
  const target = fc
    .oneof(
      { weight: 6, arbitrary: path(8_000) },
      {
        weight: 2,
        arbitrary: fc
          .tuple(
            base(),
            fc.array(fc.constantFrom('..', '.', '%zz', 'ü', '🦄', '日本', '%', '//', 'a..b', '%2e%2e'), { maxLength: 4 }),
          )
          .map(([start, segments]) => [start, ...segments].join('/').replace(/^(?!\/)/, '/')),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '*',
          'http://127.0.0.1/v1/me',
          'http://evil.example/v1/me',
          '//v1/me',
          '/\\v1/me',
          '\\',
          'v1/me',
          '/v1/me#frag',
          '/?',
          '/%',
          `/${'x'.repeat(20_000)}`,
        ),
      },
    )
    .filter(clean);

  it('always answers 2xx or 4xx, with a catalog code, leaking nothing', propertyTimeout, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          method: fc.oneof(
            { weight: 6, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS') },
            { weight: 3, arbitrary: fc.constantFrom(...oddMethods) },
            { weight: 1, arbitrary: fc.constantFrom(...brokenMethods) },
          ),
          target,
          contentType,
          body: body({ big: false, maxDepth: 5_000 }),
          authorization: authorization(),
          requestId,
          extraHeader: fc.option(
            fc.constantFrom(
              ['transfer-encoding', 'gzip'],
              ['expect', 'nothing'],
              ['content-encoding', 'br'],
              ['x-forwarded-for', '::1'],
              ['bad header', 'x'],
              ['accept', 'application/problem+json'],
              ['x'.repeat(300), 'y'],
            ),
            { nil: undefined },
          ),
        }),
        async (sent) => {
          const headers: Record<string, string | undefined> = {
            authorization: sent.authorization,
            'content-type': sent.contentType,
            'x-request-id': sent.requestId,
          };
          if (sent.extraHeader !== undefined) headers[sent.extraHeader[0]] = sent.extraHeader[1];
          const answer = await rawExchange(requestBytes(sent.method, sent.target, headers, sent.body));
          // A request Node's parser rejects never gets as far as its request id; and HTTP
          // strips the whitespace around a header value before anyone reads it.
          const rejectedByParser =
            answer.status >= 400 && /not well-formed HTTP|headers are larger than|did not arrive in time/.test(answer.body);
          checkAnswer(answer, {
            method: sent.method,
            url: sent.target,
            requestId: rejectedByParser ? undefined : sent.requestId?.trim(),
          });
          // The server still answers after this request (inside the property, so a failure prints the seed).
          const health = await fetch(`http://127.0.0.1:${port}/healthz`);
          expect(health.status).toBe(200);
          expect(await health.json()).toEqual({ status: 'ok' });
        },
      ),
      { numRuns: runs(600), ...seed },
    );
  });

  it('answers PROPFIND /v1/me with 405 method_not_allowed and Allow', async () => {
    const answer = await rawExchange(
      Buffer.from(
        `PROPFIND /v1/me HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${world.demo.apiKey}\r\nconnection: close\r\n\r\n`,
      ),
    );
    expect(answer.raw).toMatch(/^HTTP\/1\.1 405 /);
    expect(answer.headers['allow']).toBe('GET, HEAD');
    expect(answer.headers['content-type']).toBe('application/problem+json');
    const body = JSON.parse(answer.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      type: '/docs/errors#method_not_allowed',
      status: 405,
      code: 'method_not_allowed',
      detail: 'PROPFIND is not allowed on /v1/me. Use GET, HEAD.',
      request_id: answer.headers['x-request-id'],
    });
  });

  it.each([
    ['a garbage request line', 'GARBAGE\r\n\r\n'],
    ['an unknown method', 'BREW /v1/me HTTP/1.1\r\nhost: x\r\n\r\n'],
    ['a lower-case method', 'get /v1/me HTTP/1.1\r\nhost: x\r\n\r\n'],
    ['an unknown HTTP version', 'GET /v1/me HTTP/9.9\r\nhost: x\r\n\r\n'],
    ['a header line without a colon', 'GET /v1/me HTTP/1.1\r\nhost: x\r\nno colon here\r\n\r\n'],
    ['a space in a header name', 'GET /v1/me HTTP/1.1\r\nhost: x\r\nbad name: x\r\n\r\n'],
    [
      'both Content-Length and Transfer-Encoding',
      'POST /v1/campaigns HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n',
    ],
    [
      'two different Content-Length headers',
      'POST /v1/campaigns HTTP/1.1\r\nhost: x\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\n{}',
    ],
    [
      'a broken chunk size',
      'POST /v1/campaigns HTTP/1.1\r\nhost: x\r\nauthorization: Bearer <key>\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
    ],
    ['a request target with a space', 'GET /v1/ me HTTP/1.1\r\nhost: x\r\n\r\n'],
    ['a NUL byte in the request line', 'GET /v1/me\u0000 HTTP/1.1\r\nhost: x\r\n\r\n'],
  ])('answers %s with 400 invalid_request from the catalog, and closes', async (_name, request) => {
    const answer = await rawExchange(Buffer.from(request.replace('<key>', world.demo.apiKey), 'latin1'));
    expect(answer.raw).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(answer.headers['connection']).toBe('close');
    expect(answer.headers['x-request-id']).toMatch(uuid);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.body));
    const body = JSON.parse(answer.body) as Record<string, unknown>;
    expect(body).toMatchObject({ code: 'invalid_request', status: 400, type: '/docs/errors#invalid_request' });
    expect(body['request_id']).toBe(answer.headers['x-request-id']);
    expect(leak(answer.body)).toBeUndefined();
  });

  it('answers headers larger than the server accepts with 431 request_too_large', async () => {
    const answer = await rawExchange(Buffer.from(`GET /v1/me HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`));
    expect(answer.raw).toMatch(/^HTTP\/1\.1 431 /);
    const body = JSON.parse(answer.body) as Record<string, unknown>;
    expect(body).toMatchObject({ code: 'request_too_large', status: 431 });
    expect(builtinCatalog.has(body['code'] as string)).toBe(true);
  });

  it('serves a request whose Expect it does not know, instead of a bare 417 from Node', async () => {
    const answer = await rawExchange(
      requestBytes('GET', '/v1/me', { authorization: `Bearer ${world.demo.apiKey}`, expect: 'something-else' }, undefined),
    );
    expect(answer.status).toBe(200);
    expect(answer.headers['x-request-id']).toMatch(uuid);
    expect(JSON.parse(answer.body)).toMatchObject({ user: { id: world.demo.userId } });

    const refused = await rawExchange(requestBytes('GET', '/v1/campaigns/999999', { expect: 'nothing' }, undefined));
    checkAnswer(refused, { method: 'GET' });
    expect(refused.status).toBe(401);
  });

  it('answers CONNECT with a catalog error', async () => {
    const answer = await rawExchange(Buffer.from('CONNECT 127.0.0.1:80 HTTP/1.1\r\nhost: 127.0.0.1:80\r\n\r\n'), 2_000);
    checkAnswer(answer, { method: 'CONNECT' });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'invalid_request', detail: expect.stringContaining('CONNECT') });
  });

  it('keeps serving after all of that', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/v1/me`, { headers: { authorization: `Bearer ${world.demo.apiKey}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toMatch(uuid);
  });
});
