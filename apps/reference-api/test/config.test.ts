import { describe, expect, it } from 'vitest';
import { parseDatabaseUrl, readConfig } from '../src/index.js';

describe('readConfig', () => {
  it('has defaults for everything', () => {
    expect(readConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      database: { kind: 'sqlite', path: 'data/faultline.db' },
      profile: 'problem',
      logLevel: 'info',
    });
  });

  it('treats empty variables as unset', () => {
    expect(readConfig({ PORT: '', ERROR_FORMAT: '', DATABASE_URL: '', HOST: '', LOG_LEVEL: '' })).toEqual(readConfig({}));
  });

  it('reads every variable', () => {
    expect(
      readConfig({ PORT: '8080', HOST: '0.0.0.0', DATABASE_URL: 'sqlite:/tmp/x.db', ERROR_FORMAT: 'oauth', LOG_LEVEL: 'debug' }),
    ).toEqual({
      port: 8080,
      host: '0.0.0.0',
      database: { kind: 'sqlite', path: '/tmp/x.db' },
      profile: 'oauth',
      logLevel: 'debug',
    });
  });

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
    expect(() => readConfig({ DATABASE_URL: 'postgres://db/x' })).toThrow(/DATABASE_URL scheme "postgres"/);
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
    ['postgres://user:hunter2@localhost/app', 'postgres'],
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
      `DATABASE_URL scheme "${scheme}" is not supported; use sqlite:PATH or leave it unset for data/faultline.db.`,
    );
    expect(message).not.toContain('hunter2');
  });
});
