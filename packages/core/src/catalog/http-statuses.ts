/** One row of the status table the docs show. */
export interface HttpStatus {
  readonly status: number;
  readonly name: string;
  readonly meaning: string;
  /** Codes sent with this status although their catalog entry names another one (the status table lists them here too). */
  readonly alsoSentBy?: readonly string[];
}

/**
 * The statuses of the seed pages' status tables, in our words, and the few
 * others this API sends (304, 408, 409, 412, 413, 422, 431). Each error status has
 * a catalog entry, except 431, which is `request_too_large` with the status
 * Node's HTTP parser imposes; the success statuses are here so the docs can
 * show the whole table.
 */
export const httpStatuses: readonly HttpStatus[] = [
  { status: 200, name: 'OK', meaning: 'The request succeeded.' },
  { status: 201, name: 'Created', meaning: 'The request succeeded and created a resource.' },
  { status: 204, name: 'No Content', meaning: 'The request succeeded and there is nothing to return.' },
  { status: 304, name: 'Not Modified', meaning: 'Your cached copy (from `If-None-Match`) is still current.' },
  { status: 400, name: 'Bad Request', meaning: 'The request is malformed, lacks a required parameter, or breaks a rule.' },
  { status: 401, name: 'Unauthorized', meaning: 'Credentials are missing, wrong, revoked or expired.' },
  { status: 403, name: 'Forbidden', meaning: 'The credentials are valid but do not allow this.' },
  { status: 404, name: 'Not Found', meaning: 'The resource does not exist, or is not visible to you.' },
  { status: 405, name: 'Method Not Allowed', meaning: 'The path exists but not with this method; see `Allow`.' },
  { status: 408, name: 'Request Timeout', meaning: 'The request was not received in time.' },
  { status: 409, name: 'Conflict', meaning: 'The request clashes with the current state of the resource.' },
  { status: 412, name: 'Precondition Failed', meaning: 'The version named in `If-Match` is no longer current.' },
  { status: 413, name: 'Content Too Large', meaning: 'The body is larger than the endpoint accepts.' },
  { status: 415, name: 'Unsupported Media Type', meaning: 'The body is in a media type the endpoint does not read.' },
  {
    status: 422,
    name: 'Unprocessable Content',
    meaning: 'The request is well formed but cannot be processed as sent, e.g. an `Idempotency-Key` reused for another request.',
  },
  { status: 429, name: 'Too Many Requests', meaning: 'A rate limit or quota was reached; the response says when to retry.' },
  {
    status: 431,
    name: 'Request Header Fields Too Large',
    meaning: 'The request headers are larger than the server accepts.',
    alsoSentBy: ['request_too_large'],
  },
  { status: 500, name: 'Internal Server Error', meaning: 'An unexpected failure on our side; quote the request id.' },
  { status: 502, name: 'Bad Gateway', meaning: 'A proxy received an invalid answer from the server behind it.' },
  { status: 503, name: 'Service Unavailable', meaning: 'The server is overloaded or in maintenance; see `Retry-After`.' },
  { status: 504, name: 'Gateway Timeout', meaning: 'A proxy did not hear back from the server behind it in time.' },
];

const names = new Map(httpStatuses.map((row) => [row.status, row.name]));

/** The reason phrase for a status, e.g. `Not Found`; a generic one for statuses outside the table. */
export function statusName(status: number): string {
  return names.get(status) ?? (status >= 500 ? 'Server Error' : status >= 400 ? 'Client Error' : 'Status ' + String(status));
}
