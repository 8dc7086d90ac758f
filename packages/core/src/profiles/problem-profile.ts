import type { ErrorProfile } from './error-profile.js';
import { fieldErrorsMember } from './field-errors.js';

/**
 * RFC 9457 `application/problem+json`. `type` points at the code's anchor in
 * the error reference, so a person can follow it; the extension members carry
 * what a program needs: `code`, `request_id`, `time`, `errors[]` and `retry_after`.
 */
export const problemProfile: ErrorProfile = {
  name: 'problem',
  contentType: 'application/problem+json',
  body(error, resolved, context) {
    const body: Record<string, unknown> = {
      type: `${context.docsUrl}#${resolved.code}`,
      title: resolved.entry.code === resolved.code ? resolved.entry.title : titleOf(resolved.code),
      status: resolved.status,
      detail: error.detail,
      code: resolved.code,
      request_id: context.requestId,
      time: context.time,
    };
    if (error.errors.length > 0) body['errors'] = fieldErrorsMember(error.errors);
    if (error.retryAt !== undefined) body['retry_after'] = error.retryAt.toISOString();
    for (const name in error.extensions) if (!(name in body)) body[name] = error.extensions[name];
    return body;
  },
};

function titleOf(code: string): string {
  const words = code.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
