import { describe, expect, it } from 'vitest';
import { builtinCatalog, httpStatuses } from '../src/index.js';

/*
 * Facts from the specification's seed pages, written out by hand on purpose:
 * the catalog must hold every code a seed names, so dropping or renaming one
 * fails here rather than in a client.
 */

/** Seed 000, general error codes (the page gives no per-code statuses). */
const seed000General = [
  'invalid_api_key',
  'missing_team_admin',
  'missing_dependent_data',
  'missing_parameter',
  'invalid_parameter',
  'not_authorized',
  'not_found',
  'exceeds_monthly_recipients',
  'user_not_admin',
  'user_is_disabled',
  'missing_subscription',
  'team_blocked',
  'limit_reached',
  'internal_error',
  'unspecified_error',
] as const;

/** Seed 000, OAuth2 error codes. */
const seed000OAuth = [
  'unauthorized_request',
  'invalid_client',
  'invalid_grant',
  'app_not_approved',
  'invalid_token',
  'missing_scope',
] as const;

/** Seeds 001 and 003, OAuth2 error codes (RFC 6749). */
const seed001And003OAuth = [
  'invalid_request',
  'unsupported_response_type',
  'invalid_scope',
  'forbidden_scope',
  'access_denied',
  'unsupported_grant_type',
  'invalid_client',
  'server_error',
] as const;

/** Seed 002, codes with the status the page gives each. */
const seed002: readonly (readonly [string, number])[] = [
  ['invalid_request', 400],
  ['invalid_content_type', 415],
  ['access_denied', 403],
  ['insufficient_scope', 403],
  ['session_expired', 401],
  ['unauthorized_client', 401],
  ['not_found', 404],
  ['conflict', 409],
  ['precondition_failed', 412],
  ['usage_limit_exceeded', 429],
  ['server_error', 500],
];

/** The error statuses of the seed pages' status tables. */
const seedErrorStatuses = [400, 401, 403, 404, 405, 415, 429, 500, 502, 503, 504] as const;

describe('codes named by the seed pages', () => {
  it.each(seed000General)('seed 000 general code %s is in the built-in catalog', (code) => {
    expect(builtinCatalog.has(code)).toBe(true);
    expect(builtinCatalog.find(code)?.code).toBe(code);
  });

  it.each(seed000OAuth)('seed 000 OAuth2 code %s is in the built-in catalog', (code) => {
    expect(builtinCatalog.has(code)).toBe(true);
  });

  it.each(seed001And003OAuth)('seeds 001/003 OAuth2 code %s is in the built-in catalog', (code) => {
    expect(builtinCatalog.has(code)).toBe(true);
  });

  it.each(seed002)('seed 002 code %s is in the built-in catalog with status %i', (code, status) => {
    expect(builtinCatalog.find(code)?.status).toBe(status);
    expect(builtinCatalog.resolve(code, 'problem')?.status).toBe(status);
  });

  it('seed 000 OAuth2 codes answer with the statuses RFC 6749 and RFC 6750 give them', () => {
    expect(builtinCatalog.find('invalid_client')?.status).toBe(401);
    expect(builtinCatalog.find('invalid_token')?.status).toBe(401);
    expect(builtinCatalog.find('invalid_grant')?.status).toBe(400);
    expect(builtinCatalog.find('unauthorized_request')?.status).toBe(401);
  });
});

describe('statuses of the seed status tables', () => {
  it.each(seedErrorStatuses)('status %i has at least one catalog entry', (status) => {
    expect(builtinCatalog.entries.filter((entry) => entry.status === status)).not.toHaveLength(0);
  });

  it.each(seedErrorStatuses)('status %i is in the status table the docs show', (status) => {
    expect(httpStatuses.some((row) => row.status === status)).toBe(true);
  });
});

describe('unauthorized_client depends on where it happens', () => {
  it('is 401 in the api context and 400 at the token endpoint (RFC 6749 section 5.2)', () => {
    expect(builtinCatalog.resolve('unauthorized_client', 'problem', 'api')?.status).toBe(401);
    expect(builtinCatalog.resolve('unauthorized_client', 'problem')?.status).toBe(401);
    expect(builtinCatalog.resolve('unauthorized_client', 'oauth', 'api')?.status).toBe(401);
    expect(builtinCatalog.resolve('unauthorized_client', 'oauth', 'oauth-token')?.status).toBe(400);
    expect(builtinCatalog.resolve('unauthorized_client', 'problem', 'oauth-token')?.status).toBe(400);
  });

  it('keeps its code in both contexts', () => {
    expect(builtinCatalog.resolve('unauthorized_client', 'oauth', 'oauth-token')?.code).toBe('unauthorized_client');
    expect(builtinCatalog.resolve('unauthorized_client', 'oauth', 'api')?.code).toBe('unauthorized_client');
  });
});
