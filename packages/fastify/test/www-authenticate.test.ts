/**
 * The one `WWW-Authenticate` builder: every header it writes is read back, value for
 * value, by oauth4webapi (a certified OAuth 2 client, which parses challenges the way
 * clients do) and matches the RFC 9110 section 11.6.1 grammar; what a quoted-string
 * cannot carry is refused, never sent.
 */
import fc from 'fast-check';
import {
  allowInsecureRequests,
  customFetch,
  protectedResourceRequest,
  WWWAuthenticateChallengeError,
  type WWWAuthenticateChallenge,
} from 'oauth4webapi';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinCatalog, toOAuthText } from '@faultline/core';
import { basicChallenge, bearerChallenge, canQuote, quotedString, wwwAuthenticate, type BearerError } from '@faultline/fastify';
import { buildApp, closeApps } from './helpers.js';

afterEach(closeApps);

/** The challenges oauth4webapi reads from a response carrying `header`, as a client calling an API would. */
async function parsedBy4webapi(header: string): Promise<readonly WWWAuthenticateChallenge[]> {
  try {
    await protectedResourceRequest('token', 'GET', new URL('http://api.test/'), undefined, undefined, {
      [allowInsecureRequests]: true,
      [customFetch]: () => Promise.resolve(new Response(null, { status: 401, headers: { 'www-authenticate': header } })),
    });
  } catch (error) {
    if (error instanceof WWWAuthenticateChallengeError) return error.cause;
    throw error;
  }
  throw new Error(`oauth4webapi found no challenge in ${JSON.stringify(header)}`);
}

// RFC 9110: token, quoted-string, auth-param, challenge, and a comma-separated list of challenges.
const tokenPattern = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
const quotedPattern = '"(?:[\\t \\x21\\x23-\\x5b\\x5d-\\x7e]|\\\\[\\t \\x21-\\x7e])*"';
const parameterPattern = `${tokenPattern}[ \\t]*=[ \\t]*(?:${tokenPattern}|${quotedPattern})`;
const challengePattern = `${tokenPattern}(?: +${parameterPattern}(?:[ \\t]*,[ \\t]*${parameterPattern})*)?`;
const headerGrammar = new RegExp(`^${challengePattern}(?:[ \\t]*,[ \\t]*${challengePattern})*$`);

/** Any text, including quotes, backslashes, controls, line breaks and non-ASCII. */
const anyText = fc.string({ unit: 'binary', maxLength: 80 });
const printableText = fc.string({
  unit: fc.oneof(
    fc.constantFrom(...'\t "\\,='.split('')),
    fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  ),
  maxLength: 80,
});
const scopeTokens = fc.array(
  fc
    .string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 20 })
    .filter((scope) => !scope.includes('"') && !scope.includes('\\')),
  { maxLength: 3 },
);
const bearerErrors = fc.option(fc.constantFrom<BearerError>('invalid_request', 'invalid_token', 'insufficient_scope'), {
  nil: undefined,
});

describe('quotedString', () => {
  it('escapes quotes and backslashes, and refuses what a quoted-string cannot carry', () => {
    expect(quotedString('say "hi" \\ bye')).toBe('"say \\"hi\\" \\\\ bye"');
    expect(quotedString('')).toBe('""');
    for (const bad of ['line\nbreak', 'nul\0', 'del\x7f', 'é', '✓']) {
      expect(() => quotedString(bad), JSON.stringify(bad)).toThrow(TypeError);
    }
  });

  it('any text either round-trips through oauth4webapi and the RFC 9110 grammar, or is refused', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyText, printableText), fc.oneof(anyText, printableText), async (realm, charset) => {
        const quotable = canQuote(realm) && canQuote(charset);
        const challenges = [{ scheme: 'Custom', parameters: { realm, charset } }, basicChallenge('x')];
        if (!quotable) {
          expect(() => wwwAuthenticate(challenges)).toThrow(TypeError);
          return;
        }
        const header = wwwAuthenticate(challenges);
        expect(header).toMatch(headerGrammar);
        const parsed = await parsedBy4webapi(header);
        expect(parsed).toEqual([
          { scheme: 'custom', parameters: { realm, charset } },
          { scheme: 'basic', parameters: { realm: 'x', charset: 'UTF-8' } },
        ]);
      }),
    );
  });
});

describe('bearerChallenge', () => {
  it('round-trips realm, error, description and scope through oauth4webapi, within RFC 6750’s characters', async () => {
    await fc.assert(
      fc.asyncProperty(
        printableText,
        bearerErrors,
        fc.option(anyText, { nil: undefined }),
        scopeTokens,
        async (realm, error, description, scope) => {
          const header = wwwAuthenticate([
            bearerChallenge({
              realm,
              scope,
              ...(error === undefined ? {} : { error }),
              ...(description === undefined ? {} : { description }),
            }),
            basicChallenge(realm),
          ]);
          expect(header).toMatch(headerGrammar);
          const [bearer, basic, ...more] = await parsedBy4webapi(header);
          expect(more).toEqual([]);
          expect(basic).toEqual({ scheme: 'basic', parameters: { realm, charset: 'UTF-8' } });
          const expected: Record<string, string> = { realm };
          if (error !== undefined) expected['error'] = error;
          if (description !== undefined) expected['error_description'] = toOAuthText(description).slice(0, 200);
          if (scope.length > 0) expected['scope'] = scope.join(' ');
          expect(bearer).toEqual({ scheme: 'bearer', parameters: expected });
          // RFC 6750 section 3: error_description has no quote, backslash or character outside printable ASCII.
          expect(expected['error_description'] ?? '').toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]*$/);
        },
      ),
    );
  });

  it('refuses a scope that is not a scope-token, and a scheme or parameter name that is not a token', () => {
    expect(() => bearerChallenge({ realm: 'api', scope: ['two words'] })).toThrow(TypeError);
    expect(() => bearerChallenge({ realm: 'api', scope: ['a"b'] })).toThrow(TypeError);
    expect(() => wwwAuthenticate([{ scheme: 'Bad scheme' }])).toThrow(TypeError);
    expect(() => wwwAuthenticate([{ scheme: 'Bearer', parameters: { 'bad name': 'x' } }])).toThrow(TypeError);
    expect(() => wwwAuthenticate([])).toThrow(TypeError);
  });
});

describe('the plugin’s challenges', () => {
  it('escape a realm with quotes and backslashes, which a client reads back exactly', async () => {
    const realm = 'partners "north" \\ south';
    const app = await buildApp({ realm });
    app.get('/v1/anonymous', async () => {
      throw builtinCatalog.error('unauthorized_request');
    });
    const response = await app.inject({ url: '/v1/anonymous' });
    const header = response.headers['www-authenticate'] as string;
    expect(header).toBe('Bearer realm="partners \\"north\\" \\\\ south"');
    expect(await parsedBy4webapi(header)).toEqual([{ scheme: 'bearer', parameters: { realm } }]);
  });

  it('give a 403 insufficient_scope that has no challenge of its own error="insufficient_scope" and its scope', async () => {
    const app = await buildApp();
    app.get('/v1/scoped', async () => {
      throw builtinCatalog.error('insufficient_scope', { detail: 'Needs "write".', extensions: { scope: 'write' } });
    });
    app.get('/v1/unscoped', async () => {
      throw builtinCatalog.error('insufficient_scope');
    });
    const scoped = await app.inject({ url: '/v1/scoped' });
    expect(scoped.statusCode).toBe(403);
    expect(scoped.headers['www-authenticate']).toBe(
      `Bearer realm="api", error="insufficient_scope", error_description="Needs 'write'.", scope="write"`,
    );
    const unscoped = await app.inject({ url: '/v1/unscoped' });
    expect(unscoped.headers['www-authenticate']).toMatch(
      /^Bearer realm="api", error="insufficient_scope", error_description="[^"]+"$/,
    );
  });
});
