/**
 * One request over a fresh connection with node:http: nothing added to it
 * but what the script says (and Host, Content-Length), so every example is
 * sent exactly the same bytes.
 */
import { request as httpRequest } from 'node:http';

export interface ScriptedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface Answer {
  readonly status: number;
  /** Lower-case names; a repeated header's values joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const timeoutMs = 15_000;

export function send(baseUrl: string, scripted: ScriptedRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = scripted.body === undefined ? undefined : Buffer.from(scripted.body);
    const request = httpRequest(new URL(scripted.path, baseUrl), {
      method: scripted.method,
      agent: false,
      headers: { ...scripted.headers, ...(body === undefined ? {} : { 'content-length': String(body.length) }) },
      timeout: timeoutMs,
    });
    let answered = false;
    request.on('timeout', () => request.destroy(new Error(`no answer in ${timeoutMs / 1000} s`)));
    // A server may answer (a 413) and close before it has read the whole body: the answer is what counts.
    request.on('error', (error) => {
      if (!answered) reject(new Error(`${scripted.method} ${scripted.path}: ${error.message}`));
    });
    request.on('response', (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        resolve({ status: response.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    request.end(body);
  });
}
