/**
 * What the middleware logs through: a pino logger fits as it is (so do
 * pino-http's `req.log` and most others), `console` does not (its methods take
 * the message first). Each call gets an object of fields (`err` for an error,
 * `reqId` for the request id) and a message. `debug` (optional) hears of the
 * bad clients the server refused below Express (malformed requests, stalled
 * sockets, an address over its connection cap).
 */
export interface Logger {
  error(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  debug?(fields: object, message: string): void;
}

/**
 * The logger used when none is given: one JSON line per entry on stderr, in
 * pino's shape (`level` 50 for errors, 40 for warnings, `err` with its type,
 * message and stack), so the lines read the same as a real logger's. Debug
 * entries are left out.
 */
export const stderrLogger: Logger = {
  error: (fields, message) => writeLine(50, fields, message),
  warn: (fields, message) => writeLine(40, fields, message),
};

function writeLine(level: number, fields: object, message: string): void {
  const line: Record<string, unknown> = { level, time: Date.now() };
  for (const [name, value] of Object.entries(fields)) line[name] = value instanceof Error ? serializeError(value) : value;
  line['msg'] = message;
  process.stderr.write(`${safeStringify(line)}\n`);
}

/** An error as pino's standard serializer writes it: what a reader needs to find the fault. */
function serializeError(error: Error): Record<string, unknown> {
  const written: Record<string, unknown> = { type: error.name, message: error.message, stack: error.stack };
  if (error.cause !== undefined) written['cause'] = error.cause instanceof Error ? serializeError(error.cause) : error.cause;
  return written;
}

/** JSON that survives cycles and BigInts: a log line must never throw. */
function safeStringify(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (typeof inner === 'bigint') return inner.toString();
    if (typeof inner === 'object' && inner !== null) {
      if (seen.has(inner)) return '[Circular]';
      seen.add(inner);
    }
    return inner;
  });
}
