import { describe, expect, it } from 'vitest';
import { readConfig } from '../src/config.js';

describe('REDIS_URL and RATE_LIMIT_FALLBACK_SHARE', () => {
  it('keeps rate limits in each process when REDIS_URL is unset or empty', () => {
    expect(readConfig({}).redis).toBeUndefined();
    expect(readConfig({ REDIS_URL: '' }).redis).toBeUndefined();
    expect('redis' in readConfig({ REDIS_URL: ' ' })).toBe(false);
  });

  it.each(['redis://127.0.0.1:6379', 'rediss://user:secret@cache.example.com:6380/2', 'redis://localhost'])(
    'takes %s, with half of each limit per process while Redis is away',
    (url) => {
      expect(readConfig({ REDIS_URL: url }).redis).toEqual({ url, fallbackShare: 0.5, timeoutMs: 100 });
    },
  );

  it.each(['http://127.0.0.1:6379', '127.0.0.1:6379', 'redis:', 'redis://', 'unix:/tmp/redis.sock', 'not a url'])(
    'refuses %s and names the variable',
    (url) => {
      expect(() => readConfig({ REDIS_URL: url })).toThrow(/^REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/);
    },
  );

  it('reads the fallback share', () => {
    expect(readConfig({ REDIS_URL: 'redis://localhost', RATE_LIMIT_FALLBACK_SHARE: '0.25' }).redis?.fallbackShare).toBe(0.25);
    expect(readConfig({ REDIS_URL: 'redis://localhost', RATE_LIMIT_FALLBACK_SHARE: '1' }).redis?.fallbackShare).toBe(1);
  });

  it('reads the wait for Redis', () => {
    expect(readConfig({ REDIS_URL: 'redis://localhost', RATE_LIMIT_REDIS_TIMEOUT_MS: '250' }).redis?.timeoutMs).toBe(250);
  });

  it.each(['0', '-5', '1.5', '60001', 'soon'])('refuses the wait %s and names the variable', (timeout) => {
    expect(() => readConfig({ REDIS_URL: 'redis://localhost', RATE_LIMIT_REDIS_TIMEOUT_MS: timeout })).toThrow(
      /^RATE_LIMIT_REDIS_TIMEOUT_MS must be a whole number from 1 to 60000, not "/,
    );
  });

  it.each(['0', '-0.5', '1.5', 'half', 'NaN', 'Infinity'])('refuses the fallback share %s and names the variable', (share) => {
    expect(() => readConfig({ REDIS_URL: 'redis://localhost', RATE_LIMIT_FALLBACK_SHARE: share })).toThrow(
      /^RATE_LIMIT_FALLBACK_SHARE must be a number more than 0 and at most 1/,
    );
  });
});
