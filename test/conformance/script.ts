/**
 * The one scripted list of requests every example is sent, in runs of one
 * process each, and what examples/README.md says each must get. The
 * expectations are the spec's own words: they hold the reference example
 * (fastify) to the spec, so the comparison of the others with it can never
 * pass because all of them are wrong the same way.
 */
import type { ProfileName } from '@faultline/core';
import type { ScriptedRequest } from './send.js';

/** What the spec says of one answer. Anything it leaves to the layer is held only to the reference example. */
export interface Expectation {
  readonly status: number;
  /** The error's catalog code as the problem format writes it; each format's own word for it is looked up in the catalog. */
  readonly code?: string;
  /** The error's message, where the spec words it (in the problem, classic and message formats). */
  readonly detail?: string | RegExp;
  /** The whole JSON body of a success. */
  readonly json?: unknown;
  /** The pointers of every failing field, in any order. */
  readonly fields?: readonly string[];
  /** Header values (a string: exactly; `null`: absent). */
  readonly headers?: Readonly<Record<string, string | RegExp | null>>;
  /** Whether the answer comes from a /v1 route after authentication, so it carries the rate-limit fields. Default true. */
  readonly limited?: boolean;
}

export interface Step {
  readonly name: string;
  readonly request: ScriptedRequest;
  readonly expect: Expectation;
}

/** One process of an example, started with these variables, sent these requests in order. */
export interface Run {
  readonly name: string;
  readonly env: Readonly<Record<string, string>>;
  /** The error format the process answers in by default. */
  readonly profile: ProfileName;
  /**
   * The allowance restores a unit every 60 s / limit: with a limit of 100, a slow machine sees a unit come back
   * between two requests, so `r=` is compared only with the spec's bounds.
   */
  readonly remainingVaries: boolean;
  readonly steps: readonly Step[];
}

export const defaultKey = 'example-key';
const otherKey = 'another-example-key';
const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });
const json = (key: string): Record<string, string> => ({ ...bearer(key), 'content-type': 'application/json' });
const wwwAuthenticate = /^Bearer realm="example"/;
/** Over 64 KiB of otherwise valid JSON. */
const oversized = JSON.stringify({ title: 'Too long', body: 'x'.repeat(70 * 1024) });

const note = (id: number, title: string, body: string): { id: string; title: string; body: string } => ({
  id: `note_${id}`,
  title,
  body,
});

/** The answers every format shares: refusals, errors and a success, with this key and format. */
function errorSteps(key: string, profile: ProfileName): Step[] {
  const worded = profile !== 'oauth';
  return [
    {
      name: 'the key from EXAMPLE_API_KEY is accepted',
      request: { method: 'GET', path: '/v1/notes', headers: bearer(key) },
      expect: { status: 200, json: { data: [] } },
    },
    {
      name: 'no Authorization: 401 unauthorized_request',
      request: { method: 'GET', path: '/v1/notes' },
      expect: {
        status: 401,
        code: 'unauthorized_request',
        ...(worded ? { detail: 'Send an API key in the Authorization header: Bearer <key>.' } : {}),
        headers: { 'www-authenticate': wwwAuthenticate },
        limited: false,
      },
    },
    {
      name: 'a wrong key: 401 invalid_api_key',
      request: { method: 'GET', path: '/v1/notes', headers: bearer(key === defaultKey ? otherKey : defaultKey) },
      expect: {
        status: 401,
        code: 'invalid_api_key',
        ...(worded ? { detail: 'The API key is not valid.' } : {}),
        headers: { 'www-authenticate': wwwAuthenticate },
        limited: false,
      },
    },
    {
      name: 'an unknown note: 404 not_found',
      request: { method: 'GET', path: '/v1/notes/note_404', headers: bearer(key) },
      expect: { status: 404, code: 'not_found', ...(profile === 'oauth' ? {} : { detail: 'No note has the id "note_404".' }) },
    },
    {
      name: 'an unknown path: 404 not_found',
      request: { method: 'GET', path: '/v1/nothing', headers: bearer(key) },
      expect: { status: 404, code: 'not_found', limited: false },
    },
    {
      name: 'a wrong method: 405 with Allow',
      request: { method: 'PUT', path: '/v1/notes', headers: bearer(key) },
      expect: {
        status: 405,
        code: 'method_not_allowed',
        headers: { allow: /^(?=.*\bGET\b)(?=.*\bPOST\b)(?!.*\b(PUT|PATCH|DELETE)\b)/ },
        limited: false,
      },
    },
    {
      name: 'several failing fields: 400 naming each by JSON pointer',
      request: {
        method: 'POST',
        path: '/v1/notes',
        headers: json(key),
        body: JSON.stringify({ title: '', body: 5, colour: 'red' }),
      },
      expect: { status: 400, fields: ['/title', '/body', '/colour'] },
    },
    {
      name: 'a crash: an opaque 500 internal_error with the request id',
      request: { method: 'GET', path: '/v1/crash', headers: bearer(key) },
      expect: { status: 500, code: 'internal_error' },
    },
    {
      name: 'Accept: application/problem+json gets problem details whatever the format',
      request: { method: 'GET', path: '/v1/notes/note_404', headers: { ...bearer(key), accept: 'application/problem+json' } },
      expect: {
        status: 404,
        code: 'not_found',
        detail: 'No note has the id "note_404".',
        headers: { 'content-type': /^application\/problem\+json/ },
      },
    },
  ];
}

/** The routes, the layer's refusals, idempotency and request ids, in the default format. */
const main: Run = {
  name: 'routes and refusals (problem format)',
  // A limit so large that no step is refused. A unit comes back every 60 µs, so `r=` depends on how many requests
  // fell in one millisecond of the clock (a fresh-clone run saw 999998 against 999997): the rate-limit run below
  // compares it exactly, with a limit whose units come back only every 20 s.
  env: { EXAMPLE_RATE_LIMIT: '1000000' },
  profile: 'problem',
  remainingVaries: true,
  steps: [
    {
      name: 'GET /v1/notes: none yet',
      request: { method: 'GET', path: '/v1/notes', headers: bearer(defaultKey) },
      expect: { status: 200, json: { data: [] } },
    },
    {
      name: 'POST /v1/notes: 201 with Location',
      request: {
        method: 'POST',
        path: '/v1/notes',
        headers: json(defaultKey),
        body: JSON.stringify({ title: 'First', body: 'Hello' }),
      },
      expect: {
        status: 201,
        json: note(1, 'First', 'Hello'),
        headers: { location: '/v1/notes/note_1', 'content-type': /^application\/json/ },
      },
    },
    {
      name: 'POST /v1/notes without a body member: it defaults to ""',
      request: { method: 'POST', path: '/v1/notes', headers: json(defaultKey), body: JSON.stringify({ title: 'Second' }) },
      expect: { status: 201, json: note(2, 'Second', ''), headers: { location: '/v1/notes/note_2' } },
    },
    {
      name: 'GET /v1/notes: in creation order',
      request: { method: 'GET', path: '/v1/notes', headers: bearer(defaultKey) },
      expect: { status: 200, json: { data: [note(1, 'First', 'Hello'), note(2, 'Second', '')] } },
    },
    {
      name: 'GET /v1/notes/:id',
      request: { method: 'GET', path: '/v1/notes/note_1', headers: bearer(defaultKey) },
      expect: { status: 200, json: note(1, 'First', 'Hello') },
    },
    {
      name: 'PATCH /v1/notes/:id: one member',
      request: { method: 'PATCH', path: '/v1/notes/note_2', headers: json(defaultKey), body: JSON.stringify({ body: 'Edited' }) },
      expect: { status: 200, json: note(2, 'Second', 'Edited') },
    },
    {
      name: 'PATCH an unknown note: 404',
      request: {
        method: 'PATCH',
        path: '/v1/notes/note_9',
        headers: json(defaultKey),
        body: JSON.stringify({ title: 'Nobody' }),
      },
      expect: { status: 404, code: 'not_found', detail: 'No note has the id "note_9".' },
    },
    {
      name: 'PATCH with no member: 400',
      request: { method: 'PATCH', path: '/v1/notes/note_2', headers: json(defaultKey), body: '{}' },
      expect: { status: 400 },
    },
    {
      name: 'PATCH with a bad member: 400 naming it',
      request: {
        method: 'PATCH',
        path: '/v1/notes/note_2',
        headers: json(defaultKey),
        body: JSON.stringify({ title: 'x'.repeat(201) }),
      },
      expect: { status: 400, fields: ['/title'] },
    },
    {
      name: 'DELETE /v1/notes/:id: 204, no body',
      request: { method: 'DELETE', path: '/v1/notes/note_1', headers: bearer(defaultKey) },
      expect: { status: 204, json: undefined, headers: { 'content-type': null } },
    },
    {
      name: 'DELETE it again: 404',
      request: { method: 'DELETE', path: '/v1/notes/note_1', headers: bearer(defaultKey) },
      expect: { status: 404, code: 'not_found', detail: 'No note has the id "note_1".' },
    },
    {
      name: 'GET /v1/notes: the deleted one is gone',
      request: { method: 'GET', path: '/v1/notes', headers: bearer(defaultKey) },
      expect: { status: 200, json: { data: [note(2, 'Second', 'Edited')] } },
    },
    {
      name: 'routing comes first: an unknown path without a key is 404, not 401',
      request: { method: 'GET', path: '/v1/nothing' },
      expect: { status: 404, code: 'not_found', limited: false },
    },
    {
      name: 'routing comes first: a wrong method without a key is 405, not 401',
      request: { method: 'DELETE', path: '/v1/notes' },
      expect: { status: 405, code: 'method_not_allowed', headers: { allow: /\bPOST\b/ }, limited: false },
    },
    {
      name: 'an unknown path outside /v1: 404',
      request: { method: 'GET', path: '/nowhere', headers: bearer(defaultKey) },
      expect: { status: 404, code: 'not_found', limited: false },
    },
    {
      name: 'an unknown path with a body it could not take: 404 all the same (the path comes first)',
      request: {
        method: 'POST',
        path: '/v1/nothing',
        headers: { ...bearer(defaultKey), 'content-type': 'text/plain' },
        body: 'title=Plain',
      },
      expect: { status: 404, code: 'not_found', limited: false },
    },
    {
      name: 'an unknown path with malformed JSON: 404',
      request: { method: 'POST', path: '/v1/nothing', headers: json(defaultKey), body: '{"title": "cut' },
      expect: { status: 404, code: 'not_found', limited: false },
    },
    {
      name: 'a wrong method with malformed JSON: 405 with Allow',
      request: { method: 'PUT', path: '/v1/notes', headers: json(defaultKey), body: '{"title": "cut' },
      expect: { status: 405, code: 'method_not_allowed', headers: { allow: /\bPOST\b/ }, limited: false },
    },
    {
      name: 'a wrong method on a note: 405 with Allow',
      request: { method: 'POST', path: '/v1/notes/note_2', headers: bearer(defaultKey) },
      expect: {
        status: 405,
        code: 'method_not_allowed',
        headers: { allow: /^(?=.*\bGET\b)(?=.*\bPATCH\b)(?=.*\bDELETE\b)(?!.*\b(POST|PUT)\b)/ },
        limited: false,
      },
    },
    {
      name: 'a text body: 415 naming application/json',
      request: {
        method: 'POST',
        path: '/v1/notes',
        headers: { ...bearer(defaultKey), 'content-type': 'text/plain' },
        body: 'title=Plain',
      },
      expect: { status: 415, detail: /application\/json/ },
    },
    {
      name: 'malformed JSON: 400',
      request: { method: 'POST', path: '/v1/notes', headers: json(defaultKey), body: '{"title": "cut' },
      expect: { status: 400 },
    },
    {
      name: 'a body over 64 KiB: 413',
      request: { method: 'POST', path: '/v1/notes', headers: json(defaultKey), body: oversized },
      expect: { status: 413 },
    },
    {
      name: 'a missing title: 400 naming it',
      request: { method: 'POST', path: '/v1/notes', headers: json(defaultKey), body: '{}' },
      expect: { status: 400, fields: ['/title'] },
    },
    {
      name: 'a body too long and an unknown member: 400 naming both',
      request: {
        method: 'POST',
        path: '/v1/notes',
        headers: json(defaultKey),
        body: JSON.stringify({ title: 'ok', body: 'x'.repeat(5001), id: 'note_7' }),
      },
      expect: { status: 400, fields: ['/body', '/id'] },
    },
    {
      name: 'POST with an Idempotency-Key: runs once',
      request: {
        method: 'POST',
        path: '/v1/notes',
        headers: { ...json(defaultKey), 'idempotency-key': 'create-third' },
        body: JSON.stringify({ title: 'Third' }),
      },
      expect: { status: 201, json: note(3, 'Third', ''), headers: { location: '/v1/notes/note_3', 'idempotent-replayed': null } },
    },
    {
      name: 'the same POST and key: the first answer again, Idempotent-Replayed',
      request: {
        method: 'POST',
        path: '/v1/notes',
        headers: { ...json(defaultKey), 'idempotency-key': 'create-third' },
        body: JSON.stringify({ title: 'Third' }),
      },
      expect: {
        status: 201,
        json: note(3, 'Third', ''),
        headers: { location: '/v1/notes/note_3', 'idempotent-replayed': 'true' },
      },
    },
    {
      name: 'the key with another body: 422 idempotency_key_reused',
      request: {
        method: 'POST',
        path: '/v1/notes',
        headers: { ...json(defaultKey), 'idempotency-key': 'create-third' },
        body: JSON.stringify({ title: 'Fourth' }),
      },
      expect: { status: 422, code: 'idempotency_key_reused' },
    },
    {
      name: 'a malformed Idempotency-Key: 400',
      request: {
        method: 'POST',
        path: '/v1/notes',
        headers: { ...json(defaultKey), 'idempotency-key': 'two words' },
        body: JSON.stringify({ title: 'Fourth' }),
      },
      expect: { status: 400 },
    },
    {
      name: 'PATCH with an Idempotency-Key, twice: replayed',
      request: {
        method: 'PATCH',
        path: '/v1/notes/note_3',
        headers: { ...json(defaultKey), 'idempotency-key': 'edit-third' },
        body: JSON.stringify({ body: 'Once' }),
      },
      expect: { status: 200, json: note(3, 'Third', 'Once'), headers: { 'idempotent-replayed': null } },
    },
    {
      name: 'the same PATCH and key again',
      request: {
        method: 'PATCH',
        path: '/v1/notes/note_3',
        headers: { ...json(defaultKey), 'idempotency-key': 'edit-third' },
        body: JSON.stringify({ body: 'Once' }),
      },
      expect: { status: 200, json: note(3, 'Third', 'Once'), headers: { 'idempotent-replayed': 'true' } },
    },
    {
      name: 'GET /v1/notes: the replayed POST made one note',
      request: { method: 'GET', path: '/v1/notes', headers: bearer(defaultKey) },
      expect: { status: 200, json: { data: [note(2, 'Second', 'Edited'), note(3, 'Third', 'Once')] } },
    },
    {
      name: 'a well-formed x-request-id is kept',
      request: { method: 'GET', path: '/v1/notes/note_2', headers: { ...bearer(defaultKey), 'x-request-id': 'client-id.42' } },
      expect: { status: 200, json: note(2, 'Second', 'Edited'), headers: { 'x-request-id': 'client-id.42' } },
    },
    {
      name: 'a malformed x-request-id is replaced',
      request: {
        method: 'GET',
        path: '/v1/notes/note_404',
        headers: { ...bearer(defaultKey), 'x-request-id': 'bad id <script>' },
      },
      expect: { status: 404, code: 'not_found' },
    },
    ...errorSteps(defaultKey, 'problem').slice(1),
  ],
};

/** The rate limit, from a fresh allowance of 3 a minute (a unit comes back every 20 s, far longer than the run). */
const limit: Run = {
  name: 'rate limit (EXAMPLE_RATE_LIMIT=3, FAULTLINE_PROFILE=problem)',
  env: { EXAMPLE_RATE_LIMIT: '3', FAULTLINE_PROFILE: 'problem' },
  profile: 'problem',
  remainingVaries: false,
  steps: [
    ...[2, 1, 0].map((left): Step => ({
      name: `request ${3 - left} of 3: ${left} left`,
      request: { method: 'GET', path: '/v1/notes', headers: bearer(defaultKey) },
      expect: {
        status: 200,
        json: { data: [] },
        headers: { ratelimit: new RegExp(`^"[A-Za-z][A-Za-z0-9_-]*";r=${left};t=\\d+$`) },
      },
    })),
    {
      name: 'the fourth: 429 limit_reached with Retry-After',
      request: { method: 'GET', path: '/v1/notes', headers: bearer(defaultKey) },
      expect: {
        status: 429,
        code: 'limit_reached',
        headers: { 'retry-after': /^([1-9]|1\d|20)$/, ratelimit: /^"[A-Za-z][A-Za-z0-9_-]*";r=0;t=\d+$/ },
      },
    },
    {
      name: 'writes are limited too',
      request: { method: 'POST', path: '/v1/notes', headers: json(defaultKey), body: JSON.stringify({ title: 'Late' }) },
      expect: { status: 429, code: 'limit_reached' },
    },
    {
      name: 'authentication runs first: no key is still 401, not 429',
      request: { method: 'GET', path: '/v1/notes' },
      expect: { status: 401, code: 'unauthorized_request', limited: false },
    },
  ],
};

/** Each other format, with the default limit of 100 and a key of its own. */
const formats: Run[] = (['classic', 'message', 'oauth'] as const).map((profile) => ({
  name: `FAULTLINE_PROFILE=${profile}, EXAMPLE_API_KEY set`,
  env: { FAULTLINE_PROFILE: profile, EXAMPLE_API_KEY: otherKey },
  profile,
  remainingVaries: true,
  steps: errorSteps(otherKey, profile),
}));

export const runs: readonly Run[] = [main, limit, ...formats];

/** The headers whose values are part of the contract, compared between examples. */
export const contractHeaders = [
  'content-type',
  'allow',
  'www-authenticate',
  'retry-after',
  'ratelimit',
  'ratelimit-policy',
  'location',
  'idempotent-replayed',
  'cache-control',
] as const;
