import type { ErrorProfile } from './error-profile.js';
import { fieldErrorsMember } from './field-errors.js';

/**
 * RFC 6749 section 5.2: `{error, error_description, error_uri}`, the code in
 * `error`. Also seed 002's shape. Always used on OAuth2 endpoints.
 */
export const oauthProfile: ErrorProfile = {
  name: 'oauth',
  contentType: 'application/json',
  body(error, resolved, context) {
    const body: Record<string, unknown> = {
      error: resolved.code,
      error_description: toOAuthText(error.detail),
      error_uri: `${context.docsUrl}#${resolved.code}`,
    };
    if (error.errors.length > 0) body['errors'] = fieldErrorsMember(error.errors);
    if (error.retryAt !== undefined) body['retry_after'] = error.retryAt.toISOString();
    return body;
  },
  compile(resolved, docsUrl) {
    const head = `{"error":${JSON.stringify(resolved.code)},"error_description":`;
    const tail = `,"error_uri":${JSON.stringify(`${docsUrl}#${resolved.code}`)}`;
    return (error) => {
      if (error.errors.length > 0) return undefined;
      const retry = error.retryAt === undefined ? '' : `,"retry_after":"${error.retryAt.toISOString()}"`;
      return `${head}${JSON.stringify(toOAuthText(error.detail))}${tail}${retry}}`;
    };
  },
};

/**
 * RFC 6749 allows only printable ASCII without `"` and `\` in
 * `error_description`; anything else is replaced rather than dropped so the
 * length and shape of the message survive.
 */
export function toOAuthText(text: string): string {
  return text.replace(/"/g, "'").replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '?');
}
