import type { FastifyInstance } from 'fastify';
import type { FaultlineSettings } from './settings.js';

/**
 * Settings by server, for the handlers Fastify calls outside any plugin
 * (framework errors, client errors). A WeakMap, so a closed server is freed.
 */
const byServer = new WeakMap<object, FaultlineSettings>();

export function rememberSettings(server: FastifyInstance, settings: FaultlineSettings): void {
  byServer.set(server, settings);
}

export function settingsOf(server: FastifyInstance): FaultlineSettings | undefined {
  return byServer.get(server);
}
