import type { ApiError } from '@faultline/core';
import { bodyTooLargeError } from './neutral.js';
import type { ContractSettings } from './settings.js';

/** The members body-parser (behind `express.json()`, `express.urlencoded()`, …) puts on the errors it raises. */
interface BodyParserError {
  readonly type?: unknown;
  readonly message?: unknown;
  readonly limit?: unknown;
  readonly charset?: unknown;
  readonly encoding?: unknown;
}

const quoted = (value: unknown): string => JSON.stringify(String(value).slice(0, 40));

/**
 * The catalog error for an error raised by Express's own body parsers
 * (`express.json()`, `express.text()`, … from body-parser), when an app uses
 * them rather than the contract's `json()`: a message that names what is
 * wrong, instead of the bare status the error carries. Undefined for any
 * other error.
 */
export function bodyParserError(thrown: unknown, settings: ContractSettings): ApiError | undefined {
  if (typeof thrown !== 'object' || thrown === null) return undefined;
  const failure = thrown as BodyParserError;
  const { catalog } = settings;
  switch (failure.type) {
    case 'entity.parse.failed':
      return catalog.error('invalid_request', {
        detail: `The body is not valid JSON: ${String(failure.message).slice(0, 160)}`,
      });
    case 'entity.too.large':
      return typeof failure.limit === 'number'
        ? bodyTooLargeError(settings, failure.limit)
        : catalog.error('request_too_large', { detail: 'The body is larger than this endpoint accepts.' });
    case 'charset.unsupported':
      return catalog.error('invalid_content_type', {
        detail: `The body is sent in the charset ${quoted(failure.charset)}, which this endpoint does not read. Send it as UTF-8.`,
      });
    case 'encoding.unsupported':
      return catalog.error('invalid_content_type', {
        detail: `The body is sent with Content-Encoding ${quoted(failure.encoding)}, which this endpoint does not read.`,
      });
    case 'request.size.invalid':
      return catalog.error('invalid_request', { detail: 'The body is shorter or longer than its Content-Length header says.' });
    case 'request.aborted':
      return catalog.error('invalid_request', { detail: 'The request ended before its whole body arrived.' });
    default:
      return undefined;
  }
}
