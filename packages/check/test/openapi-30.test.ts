// OpenAPI 3.0 in YAML, with $refs, `nullable` and draft-04's boolean exclusiveMinimum: the error bodies an API
// sends (here, the 401s the authentication check provokes) are validated against its document as that dialect
// means them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkApi } from '@faultline/check';

const document = `
openapi: 3.0.3
info: { title: Things, version: '1' }
security: [{ bearer: [] }]
components:
  securitySchemes:
    bearer: { type: http, scheme: bearer }
  schemas:
    Error:
      type: object
      required: [code, retry_in]
      properties:
        code: { type: string }
        retry_in: { type: number, minimum: 0, exclusiveMinimum: true, nullable: true }
  responses:
    Refused:
      description: Refused.
      content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } }
paths:
  /things/{id}:
    get:
      parameters: [{ name: id, in: path, required: true, schema: { type: integer } }]
      responses:
        '200': { description: A thing. }
        '401': { $ref: '#/components/responses/Refused' }
`;

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve()))));

/** Refuses every request with a 401 problem whose `retry_in` is the value given. */
async function start(retryIn: unknown): Promise<string> {
  server = createServer((request, response) => {
    const challenge =
      request.headers.authorization === undefined ? 'Bearer realm="things"' : 'Bearer realm="things", error="invalid_token"';
    response.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': challenge });
    response.end(
      JSON.stringify({ type: 'about:blank', title: 'Unauthorized', status: 401, code: 'unauthorized', retry_in: retryIn }),
    );
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server?.address() as AddressInfo).port}`;
}

function openapiFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'faultline-check-')), 'openapi.yaml');
  writeFileSync(file, document);
  return file;
}

describe('an OpenAPI 3.0 YAML document', () => {
  it.each([
    [null, 'pass'],
    [2, 'pass'],
    [0, 'fail'],
    ['soon', 'fail'],
  ] as const)('retry_in %j: the documented-answers check says %s', async (retryIn, status) => {
    const report = await checkApi({ baseUrl: await start(retryIn), openapi: openapiFile(), maxRequests: 20 });
    expect(report.document).toMatchObject({ openapi: '3.0.3', operations: 1 });
    const documented = report.checks.find((check) => check.id === 'documented-answers');
    expect(documented?.status).toBe(status);
    if (status === 'fail') expect(documented?.findings[0]?.message).toMatch(/does not match the documented schema: \/retry_in/);
  });
});
