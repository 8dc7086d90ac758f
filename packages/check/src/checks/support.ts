/** What several checks share: choosing operations, filling paths, judging an error body. */
import type { CheckContext, Finding } from '../check-definition.js';
import type { Operation } from '../discovery/api-document.js';
import { header, isJsonMediaType, mediaType, type Exchange, type ReceivedResponse } from '../exchange.js';

/** Why an error answer's body is not an error body a program can read, or undefined when it is one. */
export function errorBodyFault(response: ReceivedResponse): string | undefined {
  const type = mediaType(response);
  if (response.body.trim() === '') return 'the body is empty';
  if (!isJsonMediaType(type)) return `the body is ${type === undefined ? 'sent without a Content-Type' : `"${type}"`}, not JSON`;
  if (response.json === undefined) return 'the body is not valid JSON';
  if (typeof response.json !== 'object' || response.json === null || Array.isArray(response.json))
    return 'the body is JSON but not an object';
  return undefined;
}

/** A short line naming an exchange: `POST /v1/users → 500`. */
export function line(exchange: Exchange): string {
  const answer = exchange.response === undefined ? (exchange.failure?.message ?? 'no answer') : String(exchange.response.status);
  return `${exchange.request.method} ${exchange.request.target} → ${answer}`;
}

/** A finding for an exchange that got no answer (a reset, a timeout) where one was due. */
export function noAnswer(exchange: Exchange, expected: string): Finding {
  return { message: `expected ${expected}, but ${exchange.failure?.message ?? 'no answer came'}`, exchange };
}

/** Whether an answer is one a check cannot judge because the credentials were refused or missing. */
export function refusedCredentials(exchange: Exchange): boolean {
  return exchange.response?.status === 401 || exchange.response?.status === 403;
}

/** Whether a check may call an operation: it is public, or credentials were given. */
export function callable(context: CheckContext, operation: Operation): boolean {
  return operation.security.length === 0 || context.hasCredentials;
}

/** Operations that take a JSON body, the ones the check can call first, public ones first when there are no credentials. */
export function jsonBodyOperations(context: CheckContext): Operation[] {
  const operations = (context.document?.operations ?? []).filter(
    (operation) =>
      ['POST', 'PUT', 'PATCH'].includes(operation.method) &&
      operation.requestBody?.jsonSchema !== undefined &&
      callable(context, operation),
  );
  const rank = (operation: Operation) => (operation.path.includes('{') ? 2 : 0) + (operation.security.length === 0 ? 0 : 1);
  return operations.sort((a, b) => rank(a) - rank(b));
}

/** The path with each `{parameter}` replaced by a plausible value of its schema. */
export function fillPath(operation: Operation): string {
  return operation.path.replace(/\{([^}]+)\}/g, (_match, name: string) => {
    const parameter = operation.parameters.find((candidate) => candidate.in === 'path' && candidate.name === name);
    const type = parameter?.schema?.['type'];
    return encodeURIComponent(type === 'integer' || type === 'number' ? '1' : 'faultline-check');
  });
}

/** A value that is valid for simple schemas (used to fill required fields besides the broken one). */
export function sampleValue(schema: Record<string, unknown> | undefined): unknown {
  if (schema === undefined) return 'faultline';
  if (Array.isArray(schema['enum']) && schema['enum'].length > 0) return schema['enum'][0];
  if ('const' in schema) return schema['const'];
  if ('default' in schema) return schema['default'];
  const type = Array.isArray(schema['type']) ? schema['type'].find((t) => t !== 'null') : schema['type'];
  switch (type) {
    case 'integer':
    case 'number':
      return typeof schema['minimum'] === 'number' ? schema['minimum'] : 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      if (schema['format'] === 'email') return 'faultline-check@example.com';
      if (schema['format'] === 'date-time') return '2030-01-01T00:00:00Z';
      if (schema['format'] === 'uri') return 'https://example.com/';
      return 'faultline';
  }
}

/** The `WWW-Authenticate` challenges of an answer, joined. */
export function challenge(response: ReceivedResponse): string | undefined {
  return header(response, 'www-authenticate');
}
