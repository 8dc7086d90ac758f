/** A body read in full, or the reason it was not. */
export type BodyReading =
  | { readonly kind: 'read'; readonly bytes: Uint8Array }
  /** Over the limit: by its `Content-Length` (nothing was read), or counted while it was read (reading stopped there). */
  | { readonly kind: 'too-large' }
  /** The body ended before the length its `Content-Length` announced, or the stream failed. */
  | { readonly kind: 'incomplete' };

const empty = new Uint8Array(0);

/**
 * Reads a web-standard request body to its end, counting bytes as they come:
 * past `limit` the reading stops and nothing more is buffered, so a body
 * without a length (chunked) or with a false one costs at most `limit` bytes
 * of memory. A `Content-Length` over the limit is refused before a byte is read.
 */
export async function readBoundedBody(request: Request, limit: number): Promise<BodyReading> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) return { kind: 'too-large' };
  const body = request.body;
  if (body === null) return { kind: 'read', bytes: empty };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        // Stop reading: the rest is never buffered.
        reader.cancel().catch(() => undefined);
        return { kind: 'too-large' };
      }
      chunks.push(value);
    }
  } catch {
    return { kind: 'incomplete' };
  }
  if (chunks.length === 1) return { kind: 'read', bytes: chunks[0] as Uint8Array };
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return { kind: 'read', bytes };
}
