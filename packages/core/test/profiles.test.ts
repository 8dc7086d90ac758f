import { describe, expect, it } from 'vitest';
import {
  ApiError,
  builtinCatalog,
  isProfileName,
  profileNames,
  profiles,
  retryAfterSentence,
  toOAuthText,
  writeErrorResponse,
  type ErrorContext,
  type ErrorResponse,
  type FieldError,
  type ProfileName,
  type WriteErrorOptions,
} from '../src/index.js';

const docsUrl = 'https://docs.example.com/errors';
const requestId = 'req_0123456789';
const now = Date.UTC(2025, 2, 4, 5, 6, 7, 890);
const time = '2025-03-04T05:06:07.890Z';
const allProfiles: readonly ProfileName[] = ['problem', 'classic', 'message', 'oauth'];
const contexts: readonly ErrorContext[] = ['api', 'oauth-authorization', 'oauth-token'];

/** Reason phrases, from RFC 9110, for the statuses the catalog uses. */
const reasonPhrases: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Printable ASCII without `"` and `\`, as RFC 6749 section 5.2 allows in error_description. */
const oauthText = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function write(error: ApiError, profile: ProfileName, extra: Partial<WriteErrorOptions> = {}): ErrorResponse {
  const response = writeErrorResponse(error, { catalog: builtinCatalog, profile, requestId, docsUrl, now, ...extra });
  if (response === undefined) throw new Error(`writeErrorResponse returned undefined for ${error.code}`);
  return response;
}

function bodyOf(response: ErrorResponse): Record<string, unknown> {
  return JSON.parse(response.body) as Record<string, unknown>;
}

const cases = builtinCatalog.codes.flatMap((code) => allProfiles.map((profile) => [code, profile] as const));

describe('profile registry', () => {
  it('has the four profiles under their own names', () => {
    expect([...profileNames].sort()).toEqual(['classic', 'message', 'oauth', 'problem']);
    for (const name of profileNames) expect(profiles[name].name).toBe(name);
  });

  it('recognises profile names and nothing else', () => {
    for (const name of allProfiles) expect(isProfileName(name)).toBe(true);
    for (const value of ['Problem', 'json', '', 'toString', '__proto__', 1, null, undefined, {}]) {
      expect(isProfileName(value)).toBe(false);
    }
  });
});

describe.each(cases)('%s under the %s profile', (code, profile) => {
  const entry = builtinCatalog.get(code);
  const resolved = builtinCatalog.resolve(code, profile);
  if (resolved === undefined) throw new Error(`${code} does not resolve`);
  const response = write(builtinCatalog.error(code), profile);
  const body = bodyOf(response);

  it('answers with the status and wire code the catalog resolves', () => {
    expect(response.status).toBe(resolved.status);
    expect(response.code).toBe(resolved.code);
    expect(builtinCatalog.has(response.code)).toBe(true);
  });

  it('sends only the content type when the error asks for nothing else', () => {
    const contentType = profile === 'problem' ? 'application/problem+json' : 'application/json';
    expect(response.headers).toStrictEqual({ 'content-type': contentType });
  });

  it('writes exactly the members of the profile', () => {
    switch (profile) {
      case 'problem':
        expect(body).toStrictEqual({
          type: `${docsUrl}#${resolved.code}`,
          title: builtinCatalog.find(resolved.code)?.title,
          status: resolved.status,
          detail: entry.description,
          code: resolved.code,
          request_id: requestId,
          time,
        });
        break;
      case 'classic':
        expect(body).toStrictEqual({ code: resolved.code, error: entry.description, time });
        break;
      case 'message':
        expect(body).toStrictEqual({
          message: reasonPhrases[resolved.status],
          description: entry.description,
          code: resolved.code,
          request_id: requestId,
        });
        break;
      case 'oauth':
        expect(body).toStrictEqual({
          error: resolved.code,
          error_description: toOAuthText(entry.description),
          error_uri: `${docsUrl}#${resolved.code}`,
        });
        expect(body['error_description']).toMatch(oauthText);
        break;
    }
  });
});

describe('variants', () => {
  it.each([
    ['internal_error', 'oauth', 'server_error'],
    ['server_error', 'classic', 'internal_error'],
    ['insufficient_scope', 'classic', 'missing_scope'],
    ['missing_scope', 'oauth', 'insufficient_scope'],
    ['missing_parameter', 'oauth', 'invalid_request'],
    ['invalid_parameter', 'oauth', 'invalid_request'],
    ['invalid_request', 'classic', 'invalid_parameter'],
    ['limit_reached', 'oauth', 'usage_limit_exceeded'],
    ['usage_limit_exceeded', 'classic', 'limit_reached'],
    ['not_authorized', 'oauth', 'access_denied'],
    ['access_denied', 'classic', 'not_authorized'],
  ] as const)('%s is written as %s by the %s profile', (code, profile, wire) => {
    const response = write(builtinCatalog.error(code), profile);
    const body = bodyOf(response);
    expect(response.code).toBe(wire);
    expect(body[profile === 'oauth' ? 'error' : 'code']).toBe(wire);
    if (profile === 'oauth') expect(body['error_uri']).toBe(`${docsUrl}#${wire}`);
  });

  it('keeps the thrown code under the other profiles', () => {
    expect(write(builtinCatalog.error('internal_error'), 'problem').code).toBe('internal_error');
    expect(write(builtinCatalog.error('internal_error'), 'classic').code).toBe('internal_error');
    expect(write(builtinCatalog.error('server_error'), 'oauth').code).toBe('server_error');
    expect(write(builtinCatalog.error('missing_parameter'), 'classic').code).toBe('missing_parameter');
  });

  it.each(builtinCatalog.codes.flatMap((code) => contexts.map((context) => [code, context] as const)))(
    '%s in the %s context answers the status the catalog resolves, under every profile',
    (code, context) => {
      for (const profile of allProfiles) {
        const response = write(builtinCatalog.error(code), profile, { context });
        expect(response.status).toBe(builtinCatalog.resolve(code, profile, context)?.status);
        if (profile === 'problem') expect(bodyOf(response)['status']).toBe(response.status);
      }
    },
  );

  it('answers unauthorized_client with 400 at the token endpoint and 401 elsewhere', () => {
    const error = builtinCatalog.error('unauthorized_client');
    expect(write(error, 'oauth', { context: 'oauth-token' }).status).toBe(400);
    expect(write(error, 'oauth', { context: 'api' }).status).toBe(401);
    expect(bodyOf(write(error, 'message', { context: 'oauth-token' }))['message']).toBe('Bad Request');
    expect(bodyOf(write(error, 'problem', { context: 'oauth-token' }))['status']).toBe(400);
  });

  it('lets a status given on the error win over the catalog', () => {
    const response = write(new ApiError('not_found', 410, 'Gone for good.'), 'problem');
    expect(response.status).toBe(410);
    expect(bodyOf(response)).toMatchObject({ status: 410, code: 'not_found', detail: 'Gone for good.' });
  });
});

describe('field errors', () => {
  const errors: FieldError[] = [
    { pointer: '/email', location: 'body', code: 'invalid_parameter', detail: 'Must be an email address.' },
    { pointer: '', location: 'query', code: 'missing_parameter', detail: 'The query is required.' },
    { pointer: '/id', location: 'path', code: 'invalid_parameter', detail: '"x" is not an id.' },
  ];

  it.each(['problem', 'message', 'oauth'] as const)(
    'appear as `errors` under the %s profile, in order and complete',
    (profile) => {
      const body = bodyOf(write(builtinCatalog.error('invalid_parameter', { errors }), profile));
      expect(body['errors']).toStrictEqual(errors);
    },
  );

  it('leave the classic body exactly {code, error, time} by default (seed 000)', () => {
    const detail = '3 fields are missing or invalid: body /email must be an email address.';
    const body = bodyOf(write(builtinCatalog.error('invalid_parameter', { errors, detail }), 'classic'));
    expect(body).toStrictEqual({ code: 'invalid_parameter', error: detail, time: new Date(now).toISOString() });
  });

  it('appear as `errors` under the classic profile with classicFieldErrors, in order and complete', () => {
    const body = bodyOf(write(builtinCatalog.error('invalid_parameter', { errors }), 'classic', { classicFieldErrors: true }));
    expect(Object.keys(body).sort()).toEqual(['code', 'error', 'errors', 'time']);
    expect(body['errors']).toStrictEqual(errors);
  });

  it('copy only the four documented members', () => {
    const withExtra = [{ ...errors[0], secret: 'do not leak' } as FieldError];
    const body = bodyOf(write(builtinCatalog.error('invalid_parameter', { errors: withExtra }), 'problem'));
    expect(body['errors']).toStrictEqual([errors[0]]);
  });

  it.each(allProfiles)('are left out under the %s profile when there are none', (profile) => {
    const error = builtinCatalog.error('invalid_parameter', { errors: [] });
    expect(bodyOf(write(error, profile, { classicFieldErrors: true }))).not.toHaveProperty('errors');
  });
});

describe('retry times', () => {
  const retryAt = new Date(now + 1500);

  it('classic writes the exact seed sentence for a rate-limited error', () => {
    const response = write(builtinCatalog.error('limit_reached', { retryAt }), 'classic');
    expect(bodyOf(response)).toStrictEqual({
      code: 'limit_reached',
      error: 'Please wait and try again after: 2025-03-04T05:06:09.390Z',
      time,
    });
    expect(retryAfterSentence).toBe('Please wait and try again after: ');
    expect(response.headers['retry-after']).toBe('2');
  });

  it('classic writes the sentence for usage_limit_exceeded too, under its classic code', () => {
    const body = bodyOf(write(builtinCatalog.error('usage_limit_exceeded', { retryAt }), 'classic'));
    expect(body).toMatchObject({ code: 'limit_reached', error: `Please wait and try again after: ${retryAt.toISOString()}` });
  });

  it('classic keeps the detail for an error that is not a rate limit', () => {
    const response = write(builtinCatalog.error('service_unavailable', { retryAt, detail: 'Down for maintenance.' }), 'classic');
    expect(bodyOf(response)).toStrictEqual({ code: 'service_unavailable', error: 'Down for maintenance.', time });
    expect(response.headers['retry-after']).toBe('2');
  });

  it('classic keeps the detail for a rate limit without a retry time', () => {
    const body = bodyOf(write(builtinCatalog.error('limit_reached', { detail: 'Slow down.' }), 'classic'));
    expect(body['error']).toBe('Slow down.');
  });

  it.each([
    [1, '1'],
    [999, '1'],
    [1000, '1'],
    [1001, '2'],
    [59_999, '60'],
    [0, '0'],
    [-5000, '0'],
  ])('Retry-After is whole seconds rounded up (%i ms ahead -> %s)', (ahead, header) => {
    const response = write(builtinCatalog.error('limit_reached', { retryAt: new Date(now + ahead) }), 'classic');
    expect(response.headers['retry-after']).toBe(header);
  });

  it.each(['problem', 'message', 'oauth'] as const)('%s carries the retry time to the millisecond as retry_after', (profile) => {
    const response = write(builtinCatalog.error('limit_reached', { retryAt }), profile);
    expect(bodyOf(response)['retry_after']).toBe('2025-03-04T05:06:09.390Z');
    expect(response.headers['retry-after']).toBe('2');
  });

  it('sends no Retry-After without a retry time', () => {
    for (const profile of allProfiles) {
      const response = write(builtinCatalog.error('limit_reached'), profile);
      expect(response.headers).not.toHaveProperty('retry-after');
      expect(bodyOf(response)).not.toHaveProperty('retry_after');
    }
  });
});

describe('headers', () => {
  it.each(allProfiles)('adds cache-control: no-store at the token endpoint under %s', (profile) => {
    expect(write(builtinCatalog.error('invalid_grant'), profile, { context: 'oauth-token' }).headers['cache-control']).toBe(
      'no-store',
    );
  });

  it.each(['api', 'oauth-authorization'] as const)('adds no cache-control in the %s context', (context) => {
    expect(write(builtinCatalog.error('invalid_grant'), 'oauth', { context }).headers).not.toHaveProperty('cache-control');
  });

  it('keeps the headers the error carries, with lower-case names', () => {
    const error = builtinCatalog.error('invalid_token', {
      headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"', ETag: '"v2"' },
    });
    const response = write(error, 'oauth', { context: 'oauth-token' });
    expect(response.headers).toStrictEqual({
      'content-type': 'application/json',
      'cache-control': 'no-store',
      'www-authenticate': 'Bearer error="invalid_token"',
      etag: '"v2"',
    });
  });

  it('keeps rate-limit headers next to Retry-After', () => {
    const error = builtinCatalog.error('limit_reached', {
      retryAt: new Date(now + 30_000),
      headers: { RateLimit: '"default";r=0;t=30', 'RateLimit-Policy': '"default";q=100;w=60' },
    });
    const headers = write(error, 'problem').headers;
    expect(headers).toMatchObject({
      'retry-after': '30',
      ratelimit: '"default";r=0;t=30',
      'ratelimit-policy': '"default";q=100;w=60',
    });
  });
});

describe('OAuth text', () => {
  const detail = 'He said "no" \\ café 日本 😀\n\ttab';

  it('leaves no quote, backslash or non-ASCII character in error_description', () => {
    const body = bodyOf(write(builtinCatalog.error('invalid_request', { detail }), 'oauth'));
    const description = body['error_description'];
    expect(description).toMatch(oauthText);
    expect(description).not.toContain('"');
    expect(description).not.toContain('\\');
    expect(description).toBe("He said 'no' ? caf? ?? ????tab");
  });

  it('replaces rather than drops, so the shape of the message survives', () => {
    expect(toOAuthText('a"b\\c')).toBe("a'b?c");
    expect(toOAuthText('plain text, kept as is: ~!#$%&()*+,-./:;<=>?@[]^_`{|}')).toBe(
      'plain text, kept as is: ~!#$%&()*+,-./:;<=>?@[]^_`{|}',
    );
    expect(toOAuthText('\u007f\u0000')).toBe('??');
  });

  it('leaves the other profiles verbatim', () => {
    expect(bodyOf(write(builtinCatalog.error('invalid_request', { detail }), 'problem'))['detail']).toBe(detail);
    expect(bodyOf(write(builtinCatalog.error('invalid_request', { detail }), 'classic'))['error']).toBe(detail);
    expect(bodyOf(write(builtinCatalog.error('invalid_request', { detail }), 'message'))['description']).toBe(detail);
  });
});

describe('problem extensions', () => {
  it('adds extension members but never lets them replace a standard member', () => {
    const error = builtinCatalog.error('limit_reached', {
      extensions: { violated_policy: 'default', status: 200, code: 'forged', type: 'about:blank' },
    });
    const body = bodyOf(write(error, 'problem'));
    expect(body).toMatchObject({
      violated_policy: 'default',
      status: 429,
      code: 'limit_reached',
      type: `${docsUrl}#limit_reached`,
    });
  });

  it('leaves extensions out of the other profiles', () => {
    const error = builtinCatalog.error('limit_reached', { extensions: { violated_policy: 'default' } });
    for (const profile of ['classic', 'message', 'oauth'] as const) {
      expect(bodyOf(write(error, profile))).not.toHaveProperty('violated_policy');
    }
  });
});

describe('codes outside the catalog', () => {
  it.each(allProfiles)('writeErrorResponse returns undefined under %s', (profile) => {
    const error = new ApiError('not_in_catalog', 400, 'Nope.');
    expect(writeErrorResponse(error, { catalog: builtinCatalog, profile, requestId, docsUrl, now })).toBeUndefined();
  });

  it('also for a name Object.prototype holds', () => {
    const error = new ApiError('constructor', 400, 'Nope.');
    expect(writeErrorResponse(error, { catalog: builtinCatalog, profile: 'problem', requestId, docsUrl })).toBeUndefined();
  });
});

describe('time', () => {
  it('defaults to the current time', () => {
    const before = Date.now();
    const response = writeErrorResponse(builtinCatalog.error('conflict'), {
      catalog: builtinCatalog,
      profile: 'classic',
      requestId,
      docsUrl,
    });
    expect(response).toBeDefined();
    const body = JSON.parse(response?.body ?? '{}') as Record<string, unknown>;
    const written = Date.parse(String(body['time']));
    expect(written).toBeGreaterThanOrEqual(before);
    expect(written).toBeLessThanOrEqual(Date.now());
  });
});
