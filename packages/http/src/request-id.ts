/** The header that carries the request id both ways. */
export const requestIdHeader = 'x-request-id';

/**
 * A request id from a client or proxy is echoed only when it is short and
 * made of safe characters, so it can never inject into logs or headers.
 */
const wellFormed = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Whether a request id sent by a client or proxy may be echoed: 1 to 128 of
 * `A-Z a-z 0-9 . _ : -`.
 *
 * @example
 * ```ts
 * isWellFormedRequestId('req-42'); // true
 * isWellFormedRequestId('a\r\nSet-Cookie: x'); // false
 * ```
 */
export function isWellFormedRequestId(value: unknown): value is string {
  return typeof value === 'string' && wellFormed.test(value);
}

/**
 * The id of a request: the `x-request-id` it came with when well formed, a
 * fresh UUID otherwise (Web Crypto's `randomUUID`, on every runtime).
 *
 * @example
 * ```ts
 * const id = requestIdFor(request.headers.get(requestIdHeader));
 * ```
 */
export function requestIdFor(given: unknown): string {
  return isWellFormedRequestId(given) ? given : crypto.randomUUID();
}
