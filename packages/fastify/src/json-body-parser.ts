import type { Catalog } from '@faultline/core';
import { readJsonBody, type JsonLimits } from '@faultline/http';
import { rememberBodySize } from '@faultline/http/ajv';
import type { FastifyRequest } from 'fastify';

/**
 * Fastify's content-type parser for `application/json`: `readJsonBody` of
 * `@faultline/http` (what is wrong with a body, said plainly; shape limits
 * before parsing), and the body's size remembered for the validator.
 */
export function createJsonBodyParser(catalog: Catalog, limits: JsonLimits) {
  return function parseJsonBody(
    request: FastifyRequest,
    body: Buffer,
    done: (error: Error | null, value?: unknown) => void,
  ): void {
    // No route takes this request: its answer is a 404 (or 405) whatever the body holds, so it is not parsed.
    if (request.is404) {
      done(null, undefined);
      return;
    }
    const reading = readJsonBody(body, catalog, limits);
    if (reading.error !== undefined) {
      done(reading.error);
      return;
    }
    const value = reading.value;
    if (typeof value === 'object' && value !== null) rememberBodySize(value, reading.members);
    done(null, value);
  };
}
