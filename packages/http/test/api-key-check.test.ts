import { builtinCatalog } from '@faultline/core';
import { ApiKeyCheck, bearerKey, type ApiKeyVerdict } from '@faultline/http';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';

type Check = typeof ApiKeyCheck;

/**
 * The module loaded again without `process.getBuiltinModule`, as on a runtime
 * that has only web standards: its keys are digested with Web Crypto.
 */
async function webCryptoCheck(): Promise<Check> {
  const saved = process.getBuiltinModule;
  Object.defineProperty(process, 'getBuiltinModule', { value: undefined, configurable: true, writable: true });
  try {
    vi.resetModules();
    const module = (await import('../src/api-key-check.js')) as { ApiKeyCheck: Check };
    return module.ApiKeyCheck;
  } finally {
    Object.defineProperty(process, 'getBuiltinModule', { value: saved, configurable: true, writable: true });
  }
}

afterEach(() => vi.resetModules());

const check = (made: ApiKeyCheck, authorization: string | undefined, realm = 'api') =>
  made.check(authorization, {}, builtinCatalog, realm);

describe('bearerKey', () => {
  it('reads the key of a Bearer header in any case, and nothing else', () => {
    expect(bearerKey('Bearer k-1')).toBe('k-1');
    expect(bearerKey('bEaReR   k-1  ')).toBe('k-1');
    expect(bearerKey(undefined)).toBeUndefined();
    expect(bearerKey('Bearer ')).toBeUndefined();
    expect(bearerKey('Basic azox')).toBeUndefined();
    expect(bearerKey('Bearer a b')).toBeUndefined();
    expect(bearerKey('Bearerk-1')).toBeUndefined();
  });
});

describe('ApiKeyCheck', () => {
  it('on Node.js, decides at once: no promise per request', () => {
    const made = new ApiKeyCheck({ keys: ['k-1'] });
    expect(check(made, 'Bearer k-1')).toEqual({ caller: 'k-1' });
  });

  it('refuses no key with unauthorized_request and a bare challenge, a wrong one with invalid_api_key', async () => {
    const made = new ApiKeyCheck({ keys: ['k-1'] });
    const missing = (await check(made, undefined, 'example')).refusal;
    expect(missing?.code).toBe('unauthorized_request');
    expect(missing?.status).toBe(401);
    expect(missing?.detail).toBe('Send an API key in the Authorization header: Bearer <key>.');
    expect(missing?.headers).toEqual({ 'www-authenticate': 'Bearer realm="example"' });
    const wrong = (await check(made, 'Bearer k-2', 'example')).refusal;
    expect(wrong?.code).toBe('invalid_api_key');
    expect(wrong?.detail).toBe('The API key is not valid.');
    expect(wrong?.headers).toEqual({ 'www-authenticate': 'Bearer realm="example", error="invalid_token"' });
  });

  it('uses its own realm and details when given, and follows the contract realm otherwise', async () => {
    const own = new ApiKeyCheck({ keys: ['k'], realm: 'own', missing: 'Log in.', invalid: 'Nope.' });
    expect((await check(own, undefined, 'contract')).refusal?.detail).toBe('Log in.');
    expect((await check(own, 'Bearer x', 'contract')).refusal?.headers).toEqual({
      'www-authenticate': 'Bearer realm="own", error="invalid_token"',
    });
    const shared = new ApiKeyCheck({ keys: ['k'] });
    expect((await check(shared, undefined, 'one')).refusal?.headers).toEqual({ 'www-authenticate': 'Bearer realm="one"' });
    expect((await check(shared, undefined, 'two')).refusal?.headers).toEqual({ 'www-authenticate': 'Bearer realm="two"' });
  });

  it('asks verify, whose truthy answer is the caller; a throw, even a synchronous one, is a rejection', async () => {
    const seen: unknown[] = [];
    const made = new ApiKeyCheck<{ id: number }>({
      verify: (key, request) => {
        seen.push(request.id);
        if (key === 'boom') throw new Error('key store down');
        return key === 'good' ? { team: 't_1' } : 0;
      },
    });
    expect(await made.check('Bearer good', { id: 7 }, builtinCatalog, 'api')).toEqual({ caller: { team: 't_1' } });
    expect((await made.check('Bearer bad', { id: 8 }, builtinCatalog, 'api')).refusal?.code).toBe('invalid_api_key');
    await expect(made.check('Bearer boom', { id: 9 }, builtinCatalog, 'api')).rejects.toThrow('key store down');
    expect(seen).toEqual([7, 8, 9]);
  });

  it('refuses options that are not keys or verify, and keys that are not non-empty strings', () => {
    expect(() => new ApiKeyCheck({})).toThrow(TypeError);
    expect(() => new ApiKeyCheck({ keys: ['k'], verify: () => true })).toThrow(TypeError);
    // process.env.API_KEY, unset: the key must not become the text "undefined".
    expect(() => new ApiKeyCheck({ keys: [undefined as unknown as string] })).toThrow(/non-empty string, not undefined/);
    expect(() => new ApiKeyCheck({ keys: [''] })).toThrow(/not an empty one/);
  });

  it('with Web Crypto alone, decides as with node:crypto, asynchronously', async () => {
    const WebCheck = await webCryptoCheck();
    const made = new WebCheck({ keys: ['k-1', 'k-2'] });
    const pending = check(made, 'Bearer k-2');
    expect(pending).toBeInstanceOf(Promise);
    expect(await pending).toEqual({ caller: 'k-2' });
    expect((await check(made, 'Bearer k-3')).refusal?.code).toBe('invalid_api_key');
    expect((await check(made, 'Bearer k-')).refusal?.code).toBe('invalid_api_key');
  });

  it('lets in exactly the listed keys, on either runtime (property)', async () => {
    const WebCheck = await webCryptoCheck();
    const key = fc.stringMatching(/^[\x21-\x7e]{1,40}$/);
    await fc.assert(
      // The key given is a listed one, one a character longer or shorter, or any other.
      fc.asyncProperty(
        fc.uniqueArray(key, { minLength: 1, maxLength: 4 }).chain((keys) =>
          fc.tuple(
            fc.constant(keys),
            fc.oneof(
              fc.constantFrom(...keys),
              fc.constantFrom(...keys).map((listed) => `${listed}x`),
              fc.constantFrom(...keys).map((listed) => listed.slice(0, -1) || 'x'),
              key,
            ),
          ),
        ),
        async ([keys, given]) => {
          const expected: ApiKeyVerdict | undefined = keys.includes(given) ? { caller: given } : undefined;
          for (const made of [new ApiKeyCheck({ keys }), new WebCheck({ keys })]) {
            const verdict = await check(made, `Bearer ${given}`);
            if (expected === undefined) expect(verdict.refusal?.code).toBe('invalid_api_key');
            else expect(verdict).toEqual(expected);
          }
        },
      ),
    );
  });
});
