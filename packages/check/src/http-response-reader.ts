/**
 * Reads one HTTP/1.1 response from the bytes a socket delivers, whatever the
 * server sends: interim 1xx answers are skipped, the body is framed by
 * `Transfer-Encoding: chunked`, `Content-Length` or the end of the connection,
 * and no more than `maxBodyBytes` of it is kept. It never throws: what cannot
 * be read is reported as `malformed`.
 */
export interface ReadResponse {
  readonly status: number;
  readonly reason: string;
  /** In the order received; names lower-cased. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
  /** The body went on past `maxBodyBytes`; the rest was not read. */
  readonly bodyCut: boolean;
  /** The connection ended (or the time ran out) before the body its framing announced was complete. */
  readonly bodyIncomplete: boolean;
}

/** More header bytes than any sane answer carries. */
const maxHeadBytes = 64 * 1024;

type State = 'head' | 'body' | 'chunk-size' | 'chunk-data' | 'chunk-data-end' | 'trailers' | 'done';

export class HttpResponseReader {
  private state: State = 'head';
  private pending: Buffer = Buffer.alloc(0);
  private status = 0;
  private reason = '';
  private headers: [string, string][] = [];
  private readonly bodyParts: Buffer[] = [];
  private bodyBytes = 0;
  private remaining = 0;
  private untilClose = false;
  private cut = false;
  /** Set when the bytes are not HTTP. */
  malformed: string | undefined;

  constructor(
    private readonly maxBodyBytes: number,
    /** A HEAD request's answer has no body whatever its headers say. */
    private readonly headRequest: boolean,
  ) {}

  /** Whether the response has been read as far as it will be: complete, cut at the cap, or malformed. */
  get finished(): boolean {
    return this.state === 'done' || this.malformed !== undefined;
  }

  /** Whether the status line and headers have arrived. */
  get hasHead(): boolean {
    return this.state !== 'head';
  }

  push(chunk: Buffer): void {
    if (this.finished) return;
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    this.advance();
  }

  /** The response as far as it was read; `ended` says the connection closed or the time ran out. */
  result(ended: boolean): ReadResponse | undefined {
    if (!this.hasHead || this.malformed !== undefined) return undefined;
    const complete = this.state === 'done' || (this.untilClose && ended);
    return {
      status: this.status,
      reason: this.reason,
      headers: this.headers,
      body: Buffer.concat(this.bodyParts),
      bodyCut: this.cut,
      bodyIncomplete: !complete && !this.cut,
    };
  }

  private advance(): void {
    for (;;) {
      const before = this.state;
      const pendingBefore = this.pending.length;
      this.step();
      if (this.finished) return;
      if (this.state === before && this.pending.length === pendingBefore) return;
    }
  }

  private step(): void {
    switch (this.state) {
      case 'head':
        return this.readHead();
      case 'body':
        return this.readBody();
      case 'chunk-size':
        return this.readChunkSize();
      case 'chunk-data':
        return this.readChunkData();
      case 'chunk-data-end':
        return this.readChunkDataEnd();
      case 'trailers':
        return this.readTrailers();
      case 'done':
        return;
    }
  }

  private readHead(): void {
    const end = this.pending.indexOf('\r\n\r\n');
    if (end === -1) {
      if (this.pending.length > maxHeadBytes) this.malformed = `the response headers are over ${maxHeadBytes} bytes`;
      return;
    }
    const lines = this.pending.subarray(0, end).toString('latin1').split('\r\n');
    this.pending = this.pending.subarray(end + 4);
    const statusLine = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
    if (statusLine === null) {
      this.malformed = `the answer does not start with an HTTP/1.x status line: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`;
      return;
    }
    const status = Number(statusLine[1]);
    const headers: [string, string][] = [];
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) {
        this.malformed = `a response header line is not "name: value": ${JSON.stringify(line.slice(0, 80))}`;
        return;
      }
      headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
    }
    // An interim answer (100 Continue, 103 Early Hints) is followed by the real one.
    if (status >= 100 && status < 200 && status !== 101) return;
    this.status = status;
    this.reason = statusLine[2] ?? '';
    this.headers = headers;
    const header = (name: string) => headers.find(([key]) => key === name)?.[1];
    if (this.headRequest || status === 204 || status === 304 || status === 101) {
      this.state = 'done';
      return;
    }
    if (/\bchunked\b/i.test(header('transfer-encoding') ?? '')) {
      this.state = 'chunk-size';
      return;
    }
    const length = header('content-length');
    if (length !== undefined) {
      if (!/^\d{1,15}$/.test(length)) {
        this.malformed = `the Content-Length header is not a number: ${JSON.stringify(length.slice(0, 40))}`;
        return;
      }
      this.remaining = Number(length);
      this.state = this.remaining === 0 ? 'done' : 'body';
      return;
    }
    this.untilClose = true;
    this.state = 'body';
  }

  private readBody(): void {
    if (this.pending.length === 0) return;
    const take = this.untilClose ? this.pending.length : Math.min(this.remaining, this.pending.length);
    this.keep(this.pending.subarray(0, take));
    this.pending = this.pending.subarray(take);
    if (!this.untilClose) {
      this.remaining -= take;
      if (this.remaining === 0) this.state = 'done';
    }
  }

  private readChunkSize(): void {
    const end = this.pending.indexOf('\r\n');
    if (end === -1) {
      if (this.pending.length > 1024) this.malformed = 'a chunk size line is over 1024 bytes';
      return;
    }
    const size = /^([0-9a-fA-F]{1,12})(?:;.*)?$/.exec(this.pending.subarray(0, end).toString('latin1').trim());
    this.pending = this.pending.subarray(end + 2);
    if (size === null) {
      this.malformed = 'a chunk size is not hexadecimal';
      return;
    }
    this.remaining = Number.parseInt(size[1] as string, 16);
    this.state = this.remaining === 0 ? 'trailers' : 'chunk-data';
  }

  private readChunkData(): void {
    if (this.pending.length === 0) return;
    const take = Math.min(this.remaining, this.pending.length);
    this.keep(this.pending.subarray(0, take));
    this.pending = this.pending.subarray(take);
    this.remaining -= take;
    if (this.remaining === 0) this.state = 'chunk-data-end';
  }

  private readChunkDataEnd(): void {
    if (this.pending.length < 2) return;
    this.pending = this.pending.subarray(2);
    this.state = 'chunk-size';
  }

  private readTrailers(): void {
    const end = this.pending.indexOf('\r\n');
    if (end === -1) return;
    this.pending = this.pending.subarray(end + 2);
    if (end === 0) this.state = 'done';
  }

  /** Keeps body bytes up to the cap; past it, the response is finished (cut). */
  private keep(part: Buffer): void {
    if (this.finished) return;
    const room = this.maxBodyBytes - this.bodyBytes;
    if (part.length > room) {
      this.bodyParts.push(part.subarray(0, room));
      this.bodyBytes += room;
      this.cut = true;
      this.state = 'done';
      return;
    }
    // A view, not a copy: the socket never reuses a chunk it has handed over.
    this.bodyParts.push(part);
    this.bodyBytes += part.length;
  }
}
