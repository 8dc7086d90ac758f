import type { FieldError, FieldLocation } from '@faultline/core';
import { missingBodyFieldError as missingBody, schemaFieldError } from '@faultline/http';
import type { FastifyRequest, FastifySchemaValidationError } from 'fastify';

type HttpPart = 'params' | 'body' | 'querystring' | 'headers';

/** Fastify validates the parts of a request in this order and stops at the first that fails. */
const parts: readonly HttpPart[] = ['params', 'body', 'querystring', 'headers'];

const locations: Readonly<Record<HttpPart, FieldLocation>> = {
  params: 'path',
  body: 'body',
  querystring: 'query',
  headers: 'header',
};

const partValue = (request: FastifyRequest, part: HttpPart): unknown =>
  part === 'params' ? request.params : part === 'body' ? request.body : part === 'querystring' ? request.query : request.headers;

/**
 * Every failing field of a request. Fastify reports only the first failing
 * part (say the path), so the parts after it are validated here too: a client
 * should learn about all of its mistakes in one round trip.
 */
export function collectFieldErrors(
  request: FastifyRequest,
  failedPart: string | undefined,
  failures: readonly FastifySchemaValidationError[],
): FieldError[] {
  const failed = parts.includes(failedPart as HttpPart) ? (failedPart as HttpPart) : 'body';
  const fields =
    failed === 'body' && request.body === undefined
      ? [missingBody]
      : failures.map((failure) => schemaFieldError(failure, locations[failed]));
  for (const part of parts.slice(parts.indexOf(failed) + 1)) {
    const validate = validationFunction(request, part);
    if (validate === undefined) continue;
    if (validate(partValue(request, part)) === true) continue;
    if (part === 'body' && request.body === undefined) fields.push(missingBody);
    else for (const failure of validate.errors ?? []) fields.push(schemaFieldError(failure, locations[part]));
  }
  return fields;
}

type Validate = ReturnType<FastifyRequest['getValidationFunction']>;

/**
 * The compiled schema of one part. A body schema given per media type
 * (`body: { content: { 'application/json': { schema } } }`) is stored as a map
 * of functions by media type, not as one function.
 */
function validationFunction(request: FastifyRequest, part: HttpPart): Validate | undefined {
  const compiled: unknown = request.getValidationFunction(part);
  if (typeof compiled === 'function') return compiled as Validate;
  if (part !== 'body' || typeof compiled !== 'object' || compiled === null || request.mediaType === undefined) return undefined;
  const byMediaType: unknown = (compiled as Record<string, unknown>)[request.mediaType];
  return typeof byMediaType === 'function' ? (byMediaType as Validate) : undefined;
}
