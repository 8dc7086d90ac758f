import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, openAnswer, recordKeys, requestFingerprint, sealAnswer } from '../src/index.js';

/** The same object with its members in another order, at every depth. */
function shuffled(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((item) => shuffled(item, seed));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const turned = entries.slice(seed % Math.max(1, entries.length)).concat(entries.slice(0, seed % Math.max(1, entries.length)));
  return Object.fromEntries(turned.reverse().map(([name, item]) => [name, shuffled(item, seed + 1)]));
}

describe('request fingerprints', () => {
  it('do not depend on the order of members', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (body, seed) => {
        expect(canonicalJson(shuffled(body, seed))).toBe(canonicalJson(body));
        expect(requestFingerprint({ scope: 's', method: 'POST', path: '/v1/x', body: shuffled(body, seed) })).toBe(
          requestFingerprint({ scope: 's', method: 'POST', path: '/v1/x', body }),
        );
      }),
    );
  });

  it('tell apart bodies that differ, and the method, path and scope', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        fc.pre(canonicalJson(a) !== canonicalJson(b));
        expect(requestFingerprint({ scope: 's', method: 'POST', path: '/p', body: a })).not.toBe(
          requestFingerprint({ scope: 's', method: 'POST', path: '/p', body: b }),
        );
      }),
    );
    const body = { name: 'x' };
    const base = requestFingerprint({ scope: 's', method: 'POST', path: '/v1/campaigns', body });
    expect(requestFingerprint({ scope: 's', method: 'PATCH', path: '/v1/campaigns', body })).not.toBe(base);
    expect(requestFingerprint({ scope: 's', method: 'POST', path: '/v1/campaigns?x=1', body })).not.toBe(base);
    expect(requestFingerprint({ scope: 's', method: 'POST', path: '/v1/campaigns', body: undefined })).not.toBe(base);
    expect(requestFingerprint({ scope: 't', method: 'POST', path: '/v1/campaigns', body })).not.toBe(base);
    // A scope that ends like the method does not meet it.
    expect(requestFingerprint({ scope: 's\nPOST', method: 'GET', path: '/v1/campaigns', body })).not.toBe(
      requestFingerprint({ scope: 's', method: 'POST', path: '/v1/campaigns', body }),
    );
  });
});

describe('record keys and sealed answers', () => {
  it('give each scope its own record for the same key, and never hold the key', () => {
    const a = recordKeys('team:1', 'key');
    const b = recordKeys('team:2', 'key');
    expect(a.id).not.toBe(b.id);
    expect(a.id).not.toContain('key');
    // 128 bits, in base64url.
    expect(a.id).toMatch(/^[\w-]{22}$/);
    // A scope that ends like another's key does not meet it.
    expect(recordKeys('a', 'b:c').id).not.toBe(recordKeys('a:b', 'c').id);
  });

  it('open only with the key they were sealed with', () => {
    const answer = { status: 201, headers: { 'content-type': 'application/json' }, body: '{"secret":"sk_live_1"}' };
    const sealed = sealAnswer(answer, recordKeys('team:1', 'key').sealKey);
    expect(sealed).not.toContain('sk_live_1');
    expect(openAnswer(sealed, recordKeys('team:1', 'key').sealKey)).toEqual(answer);
    expect(openAnswer(sealed, recordKeys('team:2', 'key').sealKey)).toBeUndefined();
    const altered = Buffer.from(sealed, 'base64');
    altered.writeUInt8((altered.at(-1) ?? 0) ^ 1, altered.length - 1);
    expect(openAnswer(altered.toString('base64'), recordKeys('team:1', 'key').sealKey)).toBeUndefined();
  });
});
