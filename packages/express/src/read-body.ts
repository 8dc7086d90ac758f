import type { IncomingMessage } from 'node:http';

/** How reading a body ended. */
export type BodyReading =
  | { readonly kind: 'read'; readonly bytes: Buffer }
  /** Longer than the limit: nothing more is read, and the connection is closed after the answer. */
  | { readonly kind: 'too_large' }
  /** The client went away (or the stream broke) before the body was complete: nothing to answer. */
  | { readonly kind: 'aborted' };

/**
 * Reads a request's body up to `limit` bytes. A `Content-Length` over the
 * limit is refused before a byte is read; a chunked body is counted as it
 * arrives and refused the moment it passes the limit, so a client can never
 * make the server hold more than `limit` bytes of it.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<BodyReading> {
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    request.resume();
    return Promise.resolve({ kind: 'too_large' });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const finish = (reading: BodyReading): void => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onAborted);
      request.off('aborted', onAborted);
      request.off('close', onClose);
      resolve(reading);
    };
    const onData = (chunk: Buffer): void => {
      length += chunk.length;
      if (length > limit) {
        // Drop what came; the rest is discarded as it arrives until the answer closes the connection.
        chunks.length = 0;
        request.resume();
        finish({ kind: 'too_large' });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void =>
      finish({ kind: 'read', bytes: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length) });
    const onAborted = (): void => finish({ kind: 'aborted' });
    const onClose = (): void => {
      if (!request.complete) finish({ kind: 'aborted' });
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onAborted);
    request.on('aborted', onAborted);
    request.on('close', onClose);
  });
}

/** Whether a request carries a body, as RFC 9112 section 6.3 tells: chunked, or a non-zero length. */
export function hasBody(request: IncomingMessage): boolean {
  const headers = request.headers;
  return (
    headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0')
  );
}
