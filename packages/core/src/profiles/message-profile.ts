import { statusName } from '../catalog/http-statuses.js';
import type { ErrorProfile } from './error-profile.js';
import { fieldErrorsMember } from './field-errors.js';

/**
 * Seeds 001/003's `{message, description}`: `message` names the HTTP status,
 * `description` says what went wrong. `code` and `request_id` are added so a
 * program need not guess the failure from prose.
 */
export const messageProfile: ErrorProfile = {
  name: 'message',
  contentType: 'application/json',
  body(error, resolved, context) {
    const body: Record<string, unknown> = {
      message: statusName(resolved.status),
      description: error.detail,
      code: resolved.code,
      request_id: context.requestId,
    };
    if (error.errors.length > 0) body['errors'] = fieldErrorsMember(error.errors);
    if (error.retryAt !== undefined) body['retry_after'] = error.retryAt.toISOString();
    return body;
  },
  compile(resolved) {
    const head = `{"message":${JSON.stringify(statusName(resolved.status))},"description":`;
    const middle = `,"code":${JSON.stringify(resolved.code)},"request_id":`;
    return (error, requestId) => {
      if (error.errors.length > 0) return undefined;
      const retry = error.retryAt === undefined ? '' : `,"retry_after":"${error.retryAt.toISOString()}"`;
      return `${head}${JSON.stringify(error.detail)}${middle}${JSON.stringify(requestId)}${retry}}`;
    };
  },
};
