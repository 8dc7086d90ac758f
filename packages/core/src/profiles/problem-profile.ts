import type { ErrorProfile } from './error-profile.js';
import { extensionMembers } from './extension-members.js';
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
  compile(resolved, docsUrl) {
    const title = resolved.entry.code === resolved.code ? resolved.entry.title : titleOf(resolved.code);
    const head = `{"type":${JSON.stringify(`${docsUrl}#${resolved.code}`)},"title":${JSON.stringify(title)},"status":${resolved.status},"detail":`;
    const middle = `,"code":${JSON.stringify(resolved.code)},"request_id":`;
    return (error, requestId, time) => {
      if (error.errors.length > 0) return undefined;
      const retryAt = error.retryAt;
      const written = `${head}${JSON.stringify(error.detail)}${middle}${JSON.stringify(requestId)},"time":${JSON.stringify(time)}`;
      const retry = retryAt === undefined ? '' : `,"retry_after":"${retryAt.toISOString()}"`;
      const extensions = extensionMembers(error.extensions, retryAt === undefined ? writtenMembers : writtenWithRetry);
      return extensions === undefined ? undefined : `${written}${retry}${extensions}}`;
    };
  },
};

/** The members `body` writes before the extensions (`in` also finds Object.prototype's, as it does on `body`). */
const writtenMembers = { type: 0, title: 0, status: 0, detail: 0, code: 0, request_id: 0, time: 0 };
const writtenWithRetry = { ...writtenMembers, retry_after: 0 };

function titleOf(code: string): string {
  const words = code.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
