import { describe, expect, it } from 'vitest';
import {
  ApiError,
  builtinCatalog,
  defineCatalog,
  profileNames,
  type CatalogEntryDefinition,
  type ErrorCategory,
  type ErrorContext,
  type RetryPolicy,
} from '../src/index.js';

const categories: readonly ErrorCategory[] = [
  'invalid_request',
  'authentication',
  'permission',
  'not_found',
  'conflict',
  'precondition',
  'rate_limit',
  'quota',
  'timeout',
  'server',
];
const retryPolicies: readonly RetryPolicy[] = ['never', 'backoff', 'retry-after', 'reauthenticate', 'quota-reset'];
const contexts: readonly ErrorContext[] = ['api', 'oauth-authorization', 'oauth-token'];

const entries = builtinCatalog.entries;
const hasHeader = (headers: readonly string[], name: string): boolean =>
  headers.some((header) => header.toLowerCase() === name.toLowerCase());

/** A valid definition to break one field at a time. */
const good: CatalogEntryDefinition = {
  status: 404,
  title: 'Not found',
  description: 'Nothing is there.',
  action: 'Check the id.',
  category: 'not_found',
  retry: 'never',
};

describe('built-in catalog entries', () => {
  it('holds a reasonable number of distinct codes', () => {
    expect(entries.length).toBeGreaterThanOrEqual(40);
    expect(new Set(builtinCatalog.codes).size).toBe(entries.length);
    expect(builtinCatalog.codes).toEqual(entries.map((entry) => entry.code));
  });

  it.each(entries.map((entry) => [entry.code, entry] as const))('%s is fully documented and well formed', (code, entry) => {
    expect(code).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(entry.title.trim()).not.toBe('');
    expect(entry.description.trim()).not.toBe('');
    expect(entry.action.trim()).not.toBe('');
    expect(categories).toContain(entry.category);
    expect(retryPolicies).toContain(entry.retry);
    expect(entry.retryable).toBe(entry.retry !== 'never');
    expect(Number.isInteger(entry.status)).toBe(true);
    expect(entry.status).toBeGreaterThanOrEqual(400);
    expect(entry.status).toBeLessThanOrEqual(599);
    expect(entry.occursIn.length).toBeGreaterThan(0);
    for (const context of entry.occursIn) expect(contexts).toContain(context);
    for (const header of entry.headers) expect(header).toMatch(/^[A-Za-z][A-Za-z0-9-]*$/);
  });

  it('is frozen, so a consumer cannot change the contract at run time', () => {
    for (const entry of entries) {
      expect(Object.isFrozen(entry)).toBe(true);
      expect(Object.isFrozen(entry.headers)).toBe(true);
      expect(Object.isFrozen(entry.variants)).toBe(true);
    }
  });

  it('lists WWW-Authenticate for every 401 entry (RFC 9110 section 15.5.2)', () => {
    const missing = entries.filter((entry) => entry.status === 401 && !hasHeader(entry.headers, 'WWW-Authenticate'));
    expect(missing.map((entry) => entry.code)).toEqual([]);
    expect(entries.filter((entry) => entry.status === 401).length).toBeGreaterThanOrEqual(5);
  });

  it('lists Retry-After for every rate_limit entry, and rate limits answer 429', () => {
    const rateLimits = entries.filter((entry) => entry.category === 'rate_limit');
    expect(rateLimits.map((entry) => entry.code)).toEqual(expect.arrayContaining(['limit_reached', 'usage_limit_exceeded']));
    for (const entry of rateLimits) {
      expect(entry.status).toBe(429);
      expect(hasHeader(entry.headers, 'Retry-After')).toBe(true);
      expect(entry.retry).toBe('retry-after');
    }
  });

  it('lists Retry-After for every entry whose policy is retry-after', () => {
    const missing = entries.filter((entry) => entry.retry === 'retry-after' && !hasHeader(entry.headers, 'Retry-After'));
    expect(missing.map((entry) => entry.code)).toEqual([]);
  });

  it('lists Allow for method_not_allowed and ETag for precondition_failed', () => {
    expect(builtinCatalog.get('method_not_allowed').status).toBe(405);
    expect(builtinCatalog.get('method_not_allowed').headers).toContain('Allow');
    expect(builtinCatalog.get('precondition_failed').status).toBe(412);
    expect(builtinCatalog.get('precondition_failed').headers).toContain('ETag');
  });

  it('has a variant code in the catalog for every variant', () => {
    for (const entry of entries) {
      for (const variant of entry.variants) {
        expect(variant.note.trim()).not.toBe('');
        if (variant.code !== undefined) expect(builtinCatalog.has(variant.code), `${entry.code} -> ${variant.code}`).toBe(true);
      }
    }
  });

  it('resolves every code under every profile and context to a catalog code', () => {
    for (const entry of entries) {
      for (const profile of profileNames) {
        for (const context of contexts) {
          const resolved = builtinCatalog.resolve(entry.code, profile, context);
          expect(resolved?.entry).toBe(entry);
          expect(builtinCatalog.has(resolved?.code ?? '')).toBe(true);
        }
      }
    }
  });

  it('translates between the seed vocabularies', () => {
    expect(builtinCatalog.resolve('internal_error', 'oauth')?.code).toBe('server_error');
    expect(builtinCatalog.resolve('server_error', 'classic')?.code).toBe('internal_error');
    expect(builtinCatalog.resolve('insufficient_scope', 'classic')?.code).toBe('missing_scope');
    expect(builtinCatalog.resolve('missing_scope', 'oauth')?.code).toBe('insufficient_scope');
    expect(builtinCatalog.resolve('missing_parameter', 'oauth')?.code).toBe('invalid_request');
    expect(builtinCatalog.resolve('limit_reached', 'oauth')?.code).toBe('usage_limit_exceeded');
    expect(builtinCatalog.resolve('usage_limit_exceeded', 'classic')?.code).toBe('limit_reached');
    expect(builtinCatalog.resolve('not_authorized', 'oauth')?.code).toBe('access_denied');
    expect(builtinCatalog.resolve('access_denied', 'classic')?.code).toBe('not_authorized');
    // The problem profile writes every code as it is.
    for (const code of builtinCatalog.codes) expect(builtinCatalog.resolve(code, 'problem')?.code).toBe(code);
  });

  it('resolves an unknown code to undefined', () => {
    expect(builtinCatalog.resolve('no_such_code', 'problem')).toBeUndefined();
    expect(builtinCatalog.resolve('toString', 'oauth', 'oauth-token')).toBeUndefined();
  });
});

describe('Catalog look-ups', () => {
  it('get returns the entry and throws a TypeError naming an unknown code', () => {
    expect(builtinCatalog.get('not_found').status).toBe(404);
    const unknown = 'no_such_code' as Parameters<typeof builtinCatalog.get>[0];
    expect(() => builtinCatalog.get(unknown)).toThrow(TypeError);
    expect(() => builtinCatalog.get(unknown)).toThrow(/no_such_code/);
  });

  it('find returns undefined for an unknown code, also for Object.prototype names', () => {
    expect(builtinCatalog.find('no_such_code')).toBeUndefined();
    expect(builtinCatalog.find('constructor')).toBeUndefined();
    expect(builtinCatalog.find('')).toBeUndefined();
    expect(builtinCatalog.has('constructor')).toBe(false);
    expect(builtinCatalog.find('conflict')?.title).toBe('Conflict');
  });
});

describe('Catalog.error', () => {
  it.each(builtinCatalog.codes.map((code) => [code] as const))(
    'builds an ApiError for %s with the catalog status and description',
    (code) => {
      const error = builtinCatalog.error(code);
      const entry = builtinCatalog.get(code);
      expect(error).toBeInstanceOf(ApiError);
      expect(error.code).toBe(code);
      expect(error.status).toBe(entry.status);
      expect(error.detail).toBe(entry.description);
      expect(error.message).toBe(entry.description);
    },
  );

  it('uses a given detail and keeps the other options', () => {
    const retryAt = new Date('2030-01-02T03:04:05.678Z');
    const error = builtinCatalog.error('limit_reached', {
      detail: 'Slow down.',
      retryAt,
      headers: { RateLimit: 'limit=10' },
      errors: [{ pointer: '/a', location: 'body', code: 'invalid_parameter', detail: 'bad' }],
    });
    expect(error.detail).toBe('Slow down.');
    expect(error.status).toBe(429);
    expect(error.retryAt).toBe(retryAt);
    expect(error.headers).toEqual({ RateLimit: 'limit=10' });
    expect(error.errors).toHaveLength(1);
  });

  it('keeps an empty detail rather than falling back to the description', () => {
    expect(builtinCatalog.error('not_found', { detail: '' }).detail).toBe('');
  });

  it('works detached from the catalog', () => {
    const { error } = builtinCatalog;
    expect(error('conflict').status).toBe(409);
  });

  it('throws for a code the catalog does not hold', () => {
    const unknown = 'no_such_code' as Parameters<typeof builtinCatalog.error>[0];
    expect(() => builtinCatalog.error(unknown)).toThrow(TypeError);
  });
});

describe('defineCatalog', () => {
  it('builds a catalog with defaults filled in', () => {
    const catalog = defineCatalog({ gone: { ...good, status: 410, retry: 'backoff' } });
    const entry = catalog.get('gone');
    expect(entry.code).toBe('gone');
    expect(entry.headers).toEqual([]);
    expect(entry.variants).toEqual([]);
    expect(entry.occursIn).toEqual(['api']);
    expect(entry.retryable).toBe(true);
    expect(catalog.error('gone').status).toBe(410);
  });

  it.each([['code'], ['retry_after'], ['Bad-Name']])(
    'rejects the extension member %j, which a profile writes or no body can carry',
    (name) => {
      const extensions = { [name]: { schema: { type: 'string', maxLength: 10 }, description: 'A member.' } } as const;
      expect(() => defineCatalog({ extended: { ...good, extensions } })).toThrow('Catalog entry "extended"');
    },
  );

  it('keeps declared extension members and rejects one without a description', () => {
    const member = { schema: { type: 'integer', minimum: 0, maximum: 9 }, description: 'How many.' } as const;
    expect(defineCatalog({ extended: { ...good, extensions: { left: member } } }).get('extended').extensions).toEqual({
      left: member,
    });
    expect(() => defineCatalog({ extended: { ...good, extensions: { left: { ...member, description: ' ' } } } })).toThrow(
      'extension member "left" needs a description',
    );
  });

  it('does not share arrays with the definition', () => {
    const headers = ['ETag'];
    const catalog = defineCatalog({ stale: { ...good, status: 412, headers } });
    headers.push('X-Later');
    expect(catalog.get('stale').headers).toEqual(['ETag']);
  });

  it.each([['Bad-Code'], ['1abc'], ['_lead'], ['UPPER'], ['has space'], ['']])(
    'rejects the code %j with a TypeError naming the entry',
    (code) => {
      expect(() => defineCatalog({ [code]: good })).toThrow(TypeError);
      expect(() => defineCatalog({ [code]: good })).toThrow(`Catalog entry "${code}"`);
    },
  );

  it.each([[200], [302], [399], [600], [404.5], [Number.NaN]])('rejects the non-error status %d', (status) => {
    expect(() => defineCatalog({ odd_status: { ...good, status } })).toThrow(TypeError);
    expect(() => defineCatalog({ odd_status: { ...good, status } })).toThrow('Catalog entry "odd_status"');
  });

  it('accepts the edges of the error range', () => {
    expect(defineCatalog({ low: { ...good, status: 400 }, high: { ...good, status: 599 } }).codes).toEqual(['low', 'high']);
  });

  it.each(['title', 'description', 'action'] as const)('rejects an empty or blank %s', (field) => {
    expect(() => defineCatalog({ blank: { ...good, [field]: '' } })).toThrow(TypeError);
    expect(() => defineCatalog({ blank: { ...good, [field]: '   ' } })).toThrow(`Catalog entry "blank": "${field}"`);
  });

  it.each([['Retry After'], ['X_Header'], ['1Header'], [''], ['Header:']])('rejects the header name %j', (header) => {
    expect(() => defineCatalog({ headed: { ...good, headers: [header] } })).toThrow(TypeError);
    expect(() => defineCatalog({ headed: { ...good, headers: [header] } })).toThrow('Catalog entry "headed"');
  });

  it('rejects a variant code that is not in the catalog', () => {
    const define = (): unknown =>
      defineCatalog({ renamed: { ...good, variants: [{ profile: 'oauth', code: 'elsewhere', note: 'n' }] } });
    expect(define).toThrow(TypeError);
    expect(define).toThrow('Catalog entry "renamed"');
    expect(define).toThrow('"elsewhere"');
  });

  it.each([['toString'], ['constructor'], ['__proto__'], ['hasOwnProperty']])(
    'rejects the inherited property name %s as a variant code',
    (code) => {
      expect(() => defineCatalog({ renamed: { ...good, variants: [{ profile: 'oauth', code, note: 'n' }] } })).toThrow(
        'Catalog entry "renamed"',
      );
    },
  );

  it('accepts a variant code defined later in the same catalog', () => {
    const catalog = defineCatalog({
      first: { ...good, variants: [{ profile: 'classic', code: 'second', note: 'n' }] },
      second: good,
    });
    expect(catalog.resolve('first', 'classic')?.code).toBe('second');
    expect(catalog.resolve('first', 'problem')?.code).toBe('first');
  });

  it.each([[200], [299], [600], [401.5]])('rejects the variant status %d', (status) => {
    expect(() => defineCatalog({ moved: { ...good, variants: [{ context: 'oauth-token', status, note: 'n' }] } })).toThrow(
      'Catalog entry "moved"',
    );
  });

  it('applies variants that match both profile and context, and only those', () => {
    const catalog = defineCatalog({
      base: {
        ...good,
        status: 401,
        variants: [
          { context: 'oauth-token', status: 400, note: 'token endpoint' },
          { profile: 'oauth', context: 'oauth-authorization', status: 302, code: 'other', note: 'redirect' },
        ],
      },
      other: good,
    });
    expect(catalog.resolve('base', 'problem', 'api')).toMatchObject({ code: 'base', status: 401 });
    expect(catalog.resolve('base', 'problem', 'oauth-token')).toMatchObject({ code: 'base', status: 400 });
    expect(catalog.resolve('base', 'oauth', 'oauth-token')).toMatchObject({ code: 'base', status: 400 });
    expect(catalog.resolve('base', 'problem', 'oauth-authorization')).toMatchObject({ code: 'base', status: 401 });
    expect(catalog.resolve('base', 'oauth', 'oauth-authorization')).toMatchObject({ code: 'other', status: 302 });
  });
});
