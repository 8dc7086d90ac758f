// Credentials never appear in any output, even when the API echoes them back in a body or a header.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { checkApi, formatJson, formatJunit, formatText } from '@faultline/check';

const token = 'sk_live_0123456789abcdef';
const cookie = 'session=cafe-babe-secret';
const server = createServer((request, response) => {
  // The worst case: every answer is a 401 that quotes what it was sent.
  response.writeHead(401, { 'content-type': 'application/json', 'x-echo': String(request.headers.authorization) });
  response.end(JSON.stringify({ error: 'unauthorized', sent: request.headers.authorization, cookie: request.headers.cookie }));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('redaction', () => {
  it('replaces every header value given, wherever it appears, in text, JSON and JUnit', async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const report = await checkApi({
      baseUrl: url,
      paths: ['/v1/things'],
      headers: [
        ['Authorization', `Bearer ${token}`],
        ['Cookie', cookie],
      ],
      maxRequests: 10,
    });
    const outputs = [formatText(report), formatJson(report), formatJunit(report)];
    for (const output of outputs) {
      expect(output).not.toContain(token);
      expect(output).not.toContain('cafe-babe-secret');
    }
    expect(formatJson(report)).toContain('[redacted]');
    // The failure shows the request as sent, its credential redacted.
    const found = report.checks.find((check) => check.id === 'unknown-path')?.findings[0];
    expect(found?.request?.headers).toContainEqual(['Authorization', '[redacted]']);
  });
});
