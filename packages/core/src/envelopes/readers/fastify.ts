import type { FieldError, FieldLocation } from '../../api-error.js';
import type { EnvelopeReader } from '../error-envelope.js';
import { fieldError } from '../field-paths.js';
import { escapePointerToken } from '../../fields/json-pointer.js';
import { isRecord, numberMember, otherMembers, stringMember, type JsonRecord } from '../members.js';

const modelled = new Set(['statusCode', 'error', 'message', 'code']);
const locations: Readonly<Record<string, FieldLocation>> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'header',
};
/** One failure of Fastify's validation message: `body/name must be string`, `querystring must have required property 'limit'`. */
const failure = /^(body|querystring|params|headers)(\/\S*)? (.+)$/;
const required = /must have required property '([^']*)'/;

/**
 * Fastify's default `{statusCode, code, error, message}`: `message` says
 * what is wrong (`error` only names the status); `code` is Fastify's
 * (`FST_ERR_VALIDATION`). A validation message is split into field errors.
 * Hapi's Boom writes the same shape, and is read the same way.
 */
export const fastify: EnvelopeReader = {
  name: 'fastify',
  matches: (body) =>
    isRecord(body) &&
    numberMember(body, 'statusCode') !== undefined &&
    stringMember(body, 'message') !== undefined &&
    stringMember(body, 'error') !== undefined,
  read: (body: JsonRecord) => {
    const message = stringMember(body, 'message') as string;
    return {
      code: stringMember(body, 'code'),
      message,
      fieldErrors: validationFields(message),
      status: numberMember(body, 'statusCode'),
      extensions: otherMembers(body, modelled),
    };
  },
};

function validationFields(message: string): FieldError[] {
  const fields: FieldError[] = [];
  for (const part of message.slice(0, 10_000).split(/, (?=(?:body|querystring|params|headers)\b)/)) {
    const match = failure.exec(part);
    if (match === null) return [];
    const [, place, path = '', detail = ''] = match;
    const missing = required.exec(detail)?.[1];
    const pointer = missing === undefined ? path : `${path}/${escapePointerToken(missing)}`;
    fields.push(fieldError(pointer, detail, missing === undefined ? undefined : 'missing_parameter', locations[place as string]));
  }
  return fields;
}
