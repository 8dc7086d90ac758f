import type { FieldError } from '../../api-error.js';
import type { EnvelopeReader } from '../error-envelope.js';
import { fieldError, pointerOf } from '../field-paths.js';
import { isRecord, member, numberMember, otherMembers, recordMember, stringMember, type JsonRecord } from '../members.js';
import { codeOfProblemType, docsOfProblemType } from './problem-type.js';

const modelled = new Set(['type', 'title', 'status', 'detail', 'traceId', 'errors', 'code']);

/**
 * ASP.NET Core's ProblemDetails and ValidationProblemDetails: RFC 9457 with
 * `traceId` (the request id) and, for model validation,
 * `errors: {"Name": ["The Name field is required."], "$.age": […]}`, each
 * key a property path or a System.Text.Json path.
 */
export const aspnetCore: EnvelopeReader = {
  name: 'aspnet-core',
  hasRequestIdPlace: true,
  matches: (body) =>
    isRecord(body) &&
    stringMember(body, 'title') !== undefined &&
    (stringMember(body, 'traceId') !== undefined || isMessageMap(member(body, 'errors'))),
  read: (body: JsonRecord) => {
    const type = stringMember(body, 'type');
    return {
      code: stringMember(body, 'code') ?? codeOfProblemType(type),
      message: stringMember(body, 'detail') ?? stringMember(body, 'title'),
      fieldErrors: messageMapFields(recordMember(body, 'errors')),
      docsUrl: docsOfProblemType(type),
      requestId: stringMember(body, 'traceId'),
      status: numberMember(body, 'status'),
      extensions: otherMembers(body, modelled),
    };
  },
};

function isMessageMap(value: unknown): boolean {
  if (!isRecord(value)) return false;
  for (const name in value) if (Object.hasOwn(value, name) && Array.isArray(value[name])) return true;
  return false;
}

function messageMapFields(errors: JsonRecord | undefined): FieldError[] {
  if (errors === undefined) return [];
  const fields: FieldError[] = [];
  for (const [path, messages] of Object.entries(errors).slice(0, 1000)) {
    if (!Array.isArray(messages)) continue;
    for (const message of messages.slice(0, 100))
      if (typeof message === 'string') fields.push(fieldError(pointerOf(path), message, undefined));
  }
  return fields;
}
