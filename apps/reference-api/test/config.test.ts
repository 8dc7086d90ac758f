import { describe, expect, it } from 'vitest';
import { describeLocation, parseDatabaseUrl, readConfig } from '../src/index.js';

describe('readConfig', () => {
  it('has defaults for everything', () => {
    expect(readConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      database: { kind: 'sqlite', path: 'data/faultline.db' },
      databaseTimeouts: { busyTimeoutMs: 2000, connectTimeoutMs: 2000, queryTimeoutMs: 5000, poolSize: 10 },
      profile: 'problem',
      classicFieldErrors: false,
      logLevel: 'info',
      rateLimits: [
        { name: 'burst', limit: 50, windowMs: 1000 },
        { name: 'hourly', limit: 10_000, windowMs: 3_600_000 },
      ],
      rateLimitLegacyHeaders: [],
      teamRateLimits: [
        { name: 'team', limit: 100, windowMs: 1000 },
        { name: 'team-h', limit: 20_000, windowMs: 3_600_000 },
      ],
      attemptBudgets: { authFailures: 30, loginsPerAddress: 30, loginsPerAccount: 20, oauthPerAddress: 300, oauthPerClient: 120 },
      overload: { maxInFlight: 1000, maxEventLoopDelayMs: 1000 },
      serverLimits: { timeouts: {} },
      publicUrl: 'http://localhost:3000',
    });
  });

  it('treats empty variables as unset', () => {
    expect(
      readConfig({ PORT: '', ERROR_FORMAT: '', CLASSIC_FIELD_ERRORS: '', DATABASE_URL: '', HOST: '', LOG_LEVEL: '' }),
    ).toEqual(readConfig({}));
  });

  it('reads every variable', () => {
    expect(
      readConfig({
        PORT: '8080',
        HOST: '0.0.0.0',
        DATABASE_URL: 'sqlite:/tmp/x.db',
        ERROR_FORMAT: 'oauth',
        CLASSIC_FIELD_ERRORS: 'on',
        RATE_LIMIT_LEGACY_HEADERS: 'x-ratelimit, draft-6',
        LOG_LEVEL: 'debug',
        PUBLIC_URL: 'https://api.example.com/',
        DATABASE_BUSY_TIMEOUT_MS: '250',
        DATABASE_CONNECT_TIMEOUT_MS: '300',
        DATABASE_QUERY_TIMEOUT_MS: '4000',
        DATABASE_POOL_SIZE: '3',
        TEAM_RATE_LIMITS: 'team=500/1m',
      }),
    ).toEqual({
      port: 8080,
      host: '0.0.0.0',
      database: { kind: 'sqlite', path: '/tmp/x.db' },
      databaseTimeouts: { busyTimeoutMs: 250, connectTimeoutMs: 300, queryTimeoutMs: 4000, poolSize: 3 },
      profile: 'oauth',
      classicFieldErrors: true,
      logLevel: 'debug',
      rateLimits: [
        { name: 'burst', limit: 50, windowMs: 1000 },
        { name: 'hourly', limit: 10_000, windowMs: 3_600_000 },
      ],
      rateLimitLegacyHeaders: ['x-ratelimit', 'draft-6'],
      teamRateLimits: [{ name: 'team', limit: 500, windowMs: 60_000 }],
      attemptBudgets: { authFailures: 30, loginsPerAddress: 30, loginsPerAccount: 20, oauthPerAddress: 300, oauthPerClient: 120 },
      overload: { maxInFlight: 1000, maxEventLoopDelayMs: 1000 },
      serverLimits: { timeouts: {} },
      publicUrl: 'https://api.example.com',
    });
  });

  it('refuses a database timeout or pool size that is not a whole number in range, naming the variable', () => {
    for (const name of [
      'DATABASE_BUSY_TIMEOUT_MS',
      'DATABASE_CONNECT_TIMEOUT_MS',
      'DATABASE_QUERY_TIMEOUT_MS',
      'DATABASE_POOL_SIZE',
    ]) {
      for (const value of ['0', '-5', '1.5', 'soon', '99999999']) {
        expect(() => readConfig({ [name]: value })).toThrow(
          new RegExp(`^${name} must be a whole number from 1 to \\d+, not "${value}"`),
        );
      }
    }
  });

  it('reads the budgets on guessing and minting, each a positive whole number, the defaults when unset', () => {
    expect(readConfig({}).attemptBudgets).toEqual({
      authFailures: 30,
      loginsPerAddress: 30,
      loginsPerAccount: 20,
      oauthPerAddress: 300,
      oauthPerClient: 120,
    });
    expect(
      readConfig({
        AUTH_FAILURES_PER_MINUTE: '5',
        LOGINS_PER_MINUTE: '6',
        LOGINS_PER_ACCOUNT_PER_15_MINUTES: '7',
        OAUTH_REQUESTS_PER_MINUTE: '8',
        OAUTH_TOKENS_PER_CLIENT_PER_MINUTE: '9',
      }).attemptBudgets,
    ).toEqual({ authFailures: 5, loginsPerAddress: 6, loginsPerAccount: 7, oauthPerAddress: 8, oauthPerClient: 9 });
    // Always on: they protect the credentials, so there is no "off".
    expect(() => readConfig({ AUTH_FAILURES_PER_MINUTE: 'off' })).toThrow(
      'AUTH_FAILURES_PER_MINUTE must be a positive whole number, not "off".',
    );
    expect(() => readConfig({ LOGINS_PER_ACCOUNT_PER_15_MINUTES: '0' })).toThrow(
      'LOGINS_PER_ACCOUNT_PER_15_MINUTES must be a positive whole number, not "0".',
    );
  });

  it('reads the timeouts and the per-address cap, and names a bad one', () => {
    expect(
      readConfig({
        HEADERS_TIMEOUT_MS: '5000',
        REQUEST_TIMEOUT_MS: '20000',
        IDLE_TIMEOUT_MS: '40000',
        KEEP_ALIVE_TIMEOUT_MS: '65000',
        MAX_CONNECTIONS_PER_CLIENT: '20',
      }).serverLimits,
    ).toEqual({
      timeouts: { headersTimeoutMs: 5000, requestTimeoutMs: 20_000, idleTimeoutMs: 40_000, keepAliveTimeoutMs: 65_000 },
      maxConnectionsPerClient: 20,
    });
    expect(readConfig({ MAX_CONNECTIONS_PER_CLIENT: 'off' }).serverLimits.maxConnectionsPerClient).toBe(Number.POSITIVE_INFINITY);
    expect(() => readConfig({ REQUEST_TIMEOUT_MS: '0' })).toThrow('REQUEST_TIMEOUT_MS must be a positive whole number, not "0".');
    expect(() => readConfig({ IDLE_TIMEOUT_MS: 'off' })).toThrow('IDLE_TIMEOUT_MS must be a positive whole number, not "off".');
    expect(() => readConfig({ MAX_CONNECTIONS_PER_CLIENT: '-3' })).toThrow(
      'MAX_CONNECTIONS_PER_CLIENT must be a positive whole number or "off", not "-3".',
    );
  });

  it.each(['yes', 'true', '1', 'ON'])('refuses CLASSIC_FIELD_ERRORS=%s, naming the variable and the value', (value) => {
    expect(() => readConfig({ CLASSIC_FIELD_ERRORS: value })).toThrow(`CLASSIC_FIELD_ERRORS must be on or off, not "${value}".`);
  });

  it('turns the team ceiling off with TEAM_RATE_LIMITS=off, and names the variable of a bad policy', () => {
    expect(readConfig({ TEAM_RATE_LIMITS: 'off' }).teamRateLimits).toEqual([]);
    expect(() => readConfig({ TEAM_RATE_LIMITS: 'team=lots' })).toThrow(/^TEAM_RATE_LIMITS policy "team=lots" is not/);
  });

  it('defaults PUBLIC_URL to localhost on PORT', () => {
    expect(readConfig({ PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
  });

  it.each(['api.example.com', 'ftp://api.example.com', 'https://api.example.com/?x=1', 'https://api.example.com/#top'])(
    'refuses PUBLIC_URL=%s',
    (value) => {
      expect(() => readConfig({ PUBLIC_URL: value })).toThrow(/^PUBLIC_URL must be an absolute http or https URL/);
    },
  );

  it.each(['problem', 'classic', 'message', 'oauth'] as const)('accepts ERROR_FORMAT=%s', (profile) => {
    expect(readConfig({ ERROR_FORMAT: profile }).profile).toBe(profile);
  });

  it.each(['bogus', 'PROBLEM', 'json', 'toString', '__proto__'])(
    'refuses ERROR_FORMAT=%s, naming the variable and the value',
    (value) => {
      expect(() => readConfig({ ERROR_FORMAT: value })).toThrow(
        `ERROR_FORMAT must be one of problem, classic, message, oauth; not "${value}".`,
      );
    },
  );

  it.each(['0', '1', '65535'])('accepts PORT=%s', (port) => {
    expect(readConfig({ PORT: port }).port).toBe(Number(port));
  });

  it.each(['abc', '-1', '65536', '1.5', '80x', 'Infinity', '0x50', '1e3', ' 80'])(
    'refuses PORT=%s, naming the variable and the value',
    (port) => {
      expect(() => readConfig({ PORT: port })).toThrow(`PORT must be a port number (0-65535), not "${port}".`);
    },
  );

  it('refuses an unsupported DATABASE_URL', () => {
    expect(() => readConfig({ DATABASE_URL: 'mysql://db/x' })).toThrow(/DATABASE_URL scheme "mysql"/);
  });
});

describe('parseDatabaseUrl', () => {
  it('is the embedded default file when unset or blank', () => {
    expect(parseDatabaseUrl(undefined)).toEqual({ kind: 'sqlite', path: 'data/faultline.db' });
    expect(parseDatabaseUrl('')).toEqual({ kind: 'sqlite', path: 'data/faultline.db' });
    expect(parseDatabaseUrl('   ')).toEqual({ kind: 'sqlite', path: 'data/faultline.db' });
  });

  it.each([
    ['sqlite:/tmp/x.db', '/tmp/x.db'],
    ['sqlite:data/other.db', 'data/other.db'],
    ['sqlite:///tmp/x.db', '/tmp/x.db'],
    ['sqlite://relative/x.db', 'relative/x.db'],
    ['sqlite::memory:', ':memory:'],
  ])('reads %s as the file %s', (url, path) => {
    expect(parseDatabaseUrl(url)).toEqual({ kind: 'sqlite', path });
  });

  it('refuses sqlite: without a path', () => {
    expect(() => parseDatabaseUrl('sqlite:')).toThrow('DATABASE_URL "sqlite:" needs a file path, e.g. sqlite:data/faultline.db');
  });

  it.each([
    ['mysql://user:hunter2@db.example.com/app', 'mysql'],
    ['file:/tmp/x.db', 'file'],
    ['SQLITE:/tmp/x.db', 'SQLITE'],
  ])('refuses %s, naming the scheme %s and not the password', (url, scheme) => {
    let message = '';
    try {
      parseDatabaseUrl(url);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      `DATABASE_URL scheme "${scheme}" is not supported; use postgres://…, sqlite:PATH, or leave it unset for data/faultline.db.`,
    );
    expect(message).not.toContain('hunter2');
  });

  it.each([
    'postgres://user:hunter2@localhost:5432/app',
    'postgresql://localhost/app',
    'postgres://db.internal/app?sslmode=require',
  ])('reads %s as PostgreSQL', (url) => {
    expect(parseDatabaseUrl(url)).toEqual({ kind: 'postgres', url });
  });

  it('refuses a PostgreSQL URL without a host, or that does not parse, without echoing the password', () => {
    expect(() => parseDatabaseUrl('postgres:///app')).toThrow(/DATABASE_URL needs a host/);
    expect(() => parseDatabaseUrl('postgres://user:hunter2@/app')).toThrow(/DATABASE_URL is not a valid URL/);
    expect(() => parseDatabaseUrl('postgres://user:hunter2@/app')).not.toThrow(/hunter2/);
  });

  it('hides the password when it names a PostgreSQL database', () => {
    expect(describeLocation({ kind: 'postgres', url: 'postgres://app:hunter2@db:5432/faultline' })).toBe(
      'postgres://app:***@db:5432/faultline',
    );
    expect(describeLocation({ kind: 'sqlite', path: 'data/x.db' })).toBe('data/x.db');
  });
});

describe('RATE_LIMIT_LEGACY_HEADERS', () => {
  it.each([
    ['off', []],
    ['', []],
    ['draft-6', ['draft-6']],
    ['x-ratelimit', ['x-ratelimit']],
    ['draft-6,x-ratelimit', ['draft-6', 'x-ratelimit']],
  ])('reads "%s"', (value, forms) => {
    expect(readConfig({ RATE_LIMIT_LEGACY_HEADERS: value }).rateLimitLegacyHeaders).toEqual(forms);
  });

  it.each(['on', 'X-RateLimit', 'draft-6,', 'legacy'])('refuses "%s", naming the variable and the forms it accepts', (value) => {
    expect(() => readConfig({ RATE_LIMIT_LEGACY_HEADERS: value })).toThrow(
      /^RATE_LIMIT_LEGACY_HEADERS must be off, draft-6, x-ratelimit or both separated by a comma; not ".*"\.$/,
    );
  });
});

describe('RATE_LIMITS', () => {
  it('reads name=LIMIT/WINDOW policies and "off"', () => {
    expect(readConfig({ RATE_LIMITS: 'second=5/1s, day=100/1d' }).rateLimits).toEqual([
      { name: 'second', limit: 5, windowMs: 1000 },
      { name: 'day', limit: 100, windowMs: 86_400_000 },
    ]);
    expect(readConfig({ RATE_LIMITS: 'off' }).rateLimits).toEqual([]);
  });

  it.each(['5/1s', 'x=0/1s', 'x=5/0s', 'x=5/1y', 'x=5', 'a b=5/1s'])('refuses RATE_LIMITS=%s, naming the policy', (value) => {
    expect(() => readConfig({ RATE_LIMITS: value })).toThrow(/RATE_LIMITS policy ".*" is not name=LIMIT\/WINDOW/);
  });
});
