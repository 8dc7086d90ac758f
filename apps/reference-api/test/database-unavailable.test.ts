import { describe, expect, it } from 'vitest';
import { databaseUnavailable, isPostgresUnavailable } from '../src/database/database-unavailable.js';

const withCode = (code: string, message = 'from the server') => Object.assign(new Error(message), { code });

describe('isPostgresUnavailable', () => {
  it.each([
    ['a statement cancelled by statement_timeout', withCode('57014')],
    ['a lost connection (class 08)', withCode('08006')],
    ['too many connections', withCode('53300')],
    ['a server shutting down', withCode('57P01')],
    ['a server starting up', withCode('57P03')],
    ['a refused connection', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['a reset connection', withCode('ECONNRESET', 'read ECONNRESET')],
    ["node-postgres' query timeout", new Error('Query read timeout')],
    ["node-postgres' pool timeout", new Error('timeout exceeded when trying to connect')],
    ['a terminated connection', new Error('Connection terminated unexpectedly')],
    ['a client that cannot query any more', new Error('Client has encountered a connection error and is not queryable')],
  ])('counts %s as unavailable (503)', (_name, error) => {
    expect(isPostgresUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', withCode('23505')],
    ['a foreign-key violation', withCode('23503')],
    ['an unknown table', withCode('42P01')],
    ['a bad value', withCode('22P02')],
    ['a deadlock', withCode('40P01')],
    ['a programming error', new TypeError('Cannot read properties of undefined')],
    ['a string', 'timeout'],
    ['nothing', null],
  ])('does not count %s, which is a fault of the query or of ours', (_name, error) => {
    expect(isPostgresUnavailable(error)).toBe(false);
  });
});

describe('databaseUnavailable', () => {
  it('is a 503 service_unavailable with a retry time, the reason in words and the driver error only as its cause', () => {
    const cause = withCode('57014', 'canceling statement due to statement timeout: SELECT * FROM campaigns');
    const before = Date.now();
    const error = databaseUnavailable('did not answer within 5000 ms', cause);
    expect(error.status).toBe(503);
    expect(error.code).toBe('service_unavailable');
    expect(error.retryAt?.getTime()).toBeGreaterThanOrEqual(before + 2000);
    expect([1, 2]).toContain(error.retryAfterSeconds());
    expect(error.detail).toMatch(/^The database did not answer within 5000 ms\. Try again after \d{4}-\d\d-\d\dT[\d:.]+Z\.$/);
    expect(error.detail).not.toMatch(/SELECT|campaigns|statement/);
    expect(error.cause).toBe(cause);
  });
});
