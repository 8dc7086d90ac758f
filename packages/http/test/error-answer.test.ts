import { describe, expect, it } from 'vitest';
import { ApiError, builtinCatalog } from '@faultline/core';
import { errorAnswer, internalErrorDetail, resolveContractSettings } from '@faultline/http';

const settings = resolveContractSettings({ profile: 'classic', realm: 'things "api"' });

describe('the whole answer to an ApiError', () => {
  it('is in the default profile, or problem+json when Accept asks for it, or the route’s forced profile', () => {
    const error = builtinCatalog.error('not_found', { detail: 'No thing 7.' });
    const classic = errorAnswer(error, settings, { id: 'r1' });
    expect(classic.headers['content-type']).toBe('application/json');
    expect(JSON.parse(classic.body)).toMatchObject({ code: 'not_found', error: 'No thing 7.' });
    const problem = errorAnswer(error, settings, { id: 'r1', accept: 'text/html, application/problem+json;q=0.9' });
    expect(problem.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(problem.body)).toMatchObject({ status: 404, detail: 'No thing 7.', request_id: 'r1' });
    // q=0 refuses problem+json.
    const refused = errorAnswer(error, settings, { id: 'r1', accept: 'application/problem+json;q=0' });
    expect(refused.headers['content-type']).toBe('application/json');
    const forced = errorAnswer(error, settings, { id: 'r1', accept: 'application/problem+json', route: { profile: 'message' } });
    expect(JSON.parse(forced.body)).not.toHaveProperty('status');
  });

  it('carries x-request-id, the error’s own headers, and Retry-After from its retry time', () => {
    const retryAt = new Date(Date.now() + 30_000);
    const answer = errorAnswer(builtinCatalog.error('limit_reached', { retryAt, headers: { 'X-Extra': 'yes' } }), settings, {
      id: 'req-9',
    });
    expect(answer.status).toBe(429);
    expect(answer.headers['x-request-id']).toBe('req-9');
    expect(answer.headers['x-extra']).toBe('yes');
    expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(29);
  });

  it('challenges a 401 with Bearer in the configured realm, escaped, and names a bad token', () => {
    const missing = errorAnswer(builtinCatalog.error('unauthorized_request'), settings, { id: 'r' });
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="things \\"api\\""');
    const bad = errorAnswer(builtinCatalog.error('invalid_token', { detail: 'The token expired.' }), settings, { id: 'r' });
    expect(bad.headers['www-authenticate']).toBe(
      'Bearer realm="things \\"api\\"", error="invalid_token", error_description="The token expired."',
    );
  });

  it('names the missing scope in a 403’s challenge, and challenges no other 403', () => {
    const scope = errorAnswer(builtinCatalog.error('insufficient_scope', { extensions: { scope: 'things:write' } }), settings, {
      id: 'r',
    });
    expect(scope.headers['www-authenticate']).toContain('error="insufficient_scope"');
    expect(scope.headers['www-authenticate']).toContain('scope="things:write"');
    expect(
      errorAnswer(builtinCatalog.error('not_authorized'), settings, { id: 'r' }).headers['www-authenticate'],
    ).toBeUndefined();
  });

  it('leaves alone a challenge the error carries or the app set, asking only for 401 and 403', () => {
    const own = errorAnswer(
      builtinCatalog.error('unauthorized_request', { headers: { 'WWW-Authenticate': 'Basic realm="x"' } }),
      settings,
      {
        id: 'r',
      },
    );
    expect(own.headers['www-authenticate']).toBe('Basic realm="x"');
    let asked = 0;
    const hasChallenge = () => {
      asked++;
      return true;
    };
    expect(
      errorAnswer(builtinCatalog.error('unauthorized_request'), settings, { id: 'r', hasChallenge }).headers['www-authenticate'],
    ).toBeUndefined();
    errorAnswer(builtinCatalog.error('not_found'), settings, { id: 'r', hasChallenge });
    expect(asked).toBe(1);
  });

  it('answers a code outside the catalog as internal_error, and logs the bug once', () => {
    const logged: unknown[] = [];
    const answer = errorAnswer(new ApiError('no_such_code', 418, 'Teapot.'), settings, {
      id: 'req-3',
      log: { error: (fields, message) => logged.push({ fields, message }) },
    });
    expect(answer.status).toBe(500);
    expect(answer.code).toBe('internal_error');
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'internal_error', error: internalErrorDetail('req-3') });
    expect(logged).toEqual([
      {
        fields: { code: 'no_such_code' },
        message: 'Error code "no_such_code" is not in the catalog; answering internal_error instead.',
      },
    ]);
  });
});
