import type { FieldError } from '../../api-error.js';
import type { EnvelopeReader } from '../error-envelope.js';
import { fieldError, pointerOf } from '../field-paths.js';
import { isRecord, member, numberMember, otherMembers, recordsOf, stringMember, type JsonRecord } from '../members.js';

const modelled = new Set(['timestamp', 'status', 'error', 'message', 'errors', 'requestId']);
/** What Spring Boot writes when `server.error.include-message` hides the message. */
const hiddenMessages: ReadonlySet<string> = new Set(['', 'No message available']);

/**
 * Spring Boot's default error attributes, `{timestamp, status, error, message,
 * path}`, with `errors[{field, defaultMessage, code}]` when binding errors
 * are included and `requestId` from WebFlux; `trace` and `exception` are kept.
 */
export const springBoot: EnvelopeReader = {
  name: 'spring-boot',
  hasRequestIdPlace: true,
  matches: (body) =>
    isRecord(body) &&
    member(body, 'timestamp') !== undefined &&
    numberMember(body, 'status') !== undefined &&
    stringMember(body, 'error') !== undefined &&
    stringMember(body, 'path') !== undefined,
  read: (body: JsonRecord) => {
    const message = stringMember(body, 'message');
    const timestamp = member(body, 'timestamp');
    return {
      message: message !== undefined && !hiddenMessages.has(message) ? message : stringMember(body, 'error'),
      fieldErrors: bindingErrors(body['errors']),
      requestId: stringMember(body, 'requestId'),
      time: typeof timestamp === 'string' ? timestamp : undefined,
      status: numberMember(body, 'status'),
      extensions: otherMembers(body, modelled),
    };
  },
};

function bindingErrors(value: unknown): FieldError[] {
  return recordsOf(value).flatMap((item) => {
    const field = stringMember(item, 'field');
    return field === undefined
      ? []
      : [fieldError(pointerOf(field), stringMember(item, 'defaultMessage'), stringMember(item, 'code'))];
  });
}
