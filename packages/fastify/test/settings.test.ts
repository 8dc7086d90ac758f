import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinCatalog, type ProfileName } from '@faultline/core';
import { faultline, faultlineServerOptions } from '@faultline/fastify';
import { resolveSettings } from '../src/settings.js';
import { buildApp, closeApps, profiles } from './helpers.js';

afterEach(closeApps);

describe('resolveSettings', () => {
  it('fills in every default', () => {
    expect(resolveSettings()).toEqual({
      catalog: builtinCatalog,
      profile: 'problem',
      docsUrl: '/docs/errors',
      contentTypes: ['application/json'],
      realm: 'api',
      maxFieldErrors: 100,
      maxConnectionsPerClient: 256,
      trustProxy: false,
      jsonLimits: { maxDepth: 32, maxKeys: 1000, maxItems: 20_000, maxMembers: 100_000 },
      classicFieldErrors: false,
    });
  });

  it('keeps every option given', () => {
    const settings = resolveSettings({
      profile: 'oauth',
      docsUrl: 'https://example.com/errors',
      contentTypes: ['application/json', 'text/plain'],
      realm: 'partners',
      maxFieldErrors: 5,
      maxConnectionsPerClient: Number.POSITIVE_INFINITY,
      trustProxy: true,
      jsonLimits: { maxDepth: 4 },
      classicFieldErrors: true,
    });
    expect(settings).toEqual({
      catalog: builtinCatalog,
      profile: 'oauth',
      docsUrl: 'https://example.com/errors',
      contentTypes: ['application/json', 'text/plain'],
      realm: 'partners',
      maxFieldErrors: 5,
      maxConnectionsPerClient: Number.POSITIVE_INFINITY,
      trustProxy: true,
      jsonLimits: { maxDepth: 4, maxKeys: 1000, maxItems: 20_000, maxMembers: 100_000 },
      classicFieldErrors: true,
    });
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects the limit %s with a TypeError naming the option', (value) => {
    expect(() => resolveSettings({ maxConnectionsPerClient: value })).toThrow(
      `The Faultline option maxConnectionsPerClient must be a whole number from 1, or Infinity, not ${value}.`,
    );
    expect(() => resolveSettings({ jsonLimits: { maxKeys: value } })).toThrow(/jsonLimits\.maxKeys must be/);
  });

  it.each(profiles)('accepts the %s profile', (profile) => {
    expect(resolveSettings({ profile }).profile).toBe(profile);
  });

  it.each(['jsonapi', 'Problem', '', 'toString', '__proto__'])(
    'rejects the unknown profile %j with a TypeError naming it',
    (name) => {
      const resolve = () => resolveSettings({ profile: name as ProfileName });
      expect(resolve).toThrow(TypeError);
      expect(resolve).toThrow(`Unknown error profile "${name}": use problem, classic, message or oauth.`);
    },
  );

  it('rejects a realm that would break the challenge header, and keeps one with quotes (they are escaped)', () => {
    expect(() => resolveSettings({ realm: 'a\r\nSet-Cookie: x=1' })).toThrow(TypeError);
    expect(resolveSettings({ realm: 'a"b' }).realm).toBe('a"b');
  });
});

describe('registering the plugin with a bad option', () => {
  it('rejects register() with the TypeError instead of crashing the process', async () => {
    const registering = buildApp({ profile: 'jsonapi' as ProfileName });
    await expect(registering).rejects.toBeInstanceOf(TypeError);
    await expect(registering).rejects.toThrow('Unknown error profile "jsonapi"');
  });

  it('makes ready() fail when the registration is not awaited', async () => {
    const app = Fastify({ ...faultlineServerOptions(), logger: false, pluginTimeout: 2000 });
    void app.register(faultline, { profile: 'yaml' as ProfileName });
    await expect(app.ready()).rejects.toThrow('Unknown error profile "yaml"');
    await app.close();
  });
});
