/**
 * A small API on plain node:http that keeps the whole error contract, and can
 * break exactly one part of it: the family of broken servers the checks are
 * tested against is this server with one fault each.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One deliberate fault per check, named by the check that must catch it. */
export type Fault =
  | 'unknown-path' // an HTML 404
  | 'method-not-allowed' // a 405 without Allow
  | 'unreadable-body' // a 500 on malformed JSON
  | 'oversized-request' // Node's bare 431, no body
  | 'auth-challenge' // a 401 without WWW-Authenticate
  | 'field-errors' // names only the first bad field
  | 'one-shape' // the router's 404 in Google's shape, the rest in problem details
  | 'no-leaks' // a stack trace in the 404
  | 'request-id' // no request id anywhere
  | 'catalog-codes' // a 404 code the catalog does not have
  | 'documented-answers' // a 415 the document does not list
  | 'rate-limit' // a 429 without Retry-After
  | 'conditional-requests' // If-Match ignored
  | 'oauth-token-errors'; // token errors without Cache-Control: no-store

export const goodToken = 'contract-server-good-token';
const bodyLimit = 4096;
/** Requests per second before 429; far above the checker's default pace of 20/s, reached only by --flood. */
const ratePerSecond = 40;

const catalog = {
  statuses: [{ status: 431, name: 'Request Header Fields Too Large', alsoSentBy: ['request_too_large'] }],
  errors: [
    { code: 'invalid_request', status: 400 },
    { code: 'invalid_parameter', status: 400 },
    { code: 'unauthorized', status: 401 },
    { code: 'invalid_token', status: 401 },
    { code: 'not_found', status: 404 },
    { code: 'method_not_allowed', status: 405 },
    { code: 'precondition_failed', status: 412 },
    { code: 'request_too_large', status: 413 },
    { code: 'invalid_content_type', status: 415 },
    { code: 'limit_reached', status: 429 },
    { code: 'invalid_client', status: 401 },
    { code: 'unsupported_grant_type', status: 400 },
  ],
};

const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string' },
    request_id: { type: 'string' },
  },
};
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});
const itemSchema = {
  type: 'object',
  required: ['id', 'name'],
  properties: { id: { type: 'integer' }, name: { type: 'string' }, size: { type: 'integer' } },
};
const itemInput = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: { type: 'string', minLength: 1 }, size: { type: 'integer' } },
};

function openapi(fault: Fault | undefined) {
  const writeErrors = {
    400: problem('Invalid body'),
    401: problem('No or wrong credentials'),
    413: problem('Body too large'),
    ...(fault === 'documented-answers' ? {} : { 415: problem('Not JSON') }),
    429: problem('Too many requests'),
  };
  return {
    openapi: '3.1.0',
    info: { title: 'Contract server', version: '1.0.0' },
    security: [{ bearer: [] }],
    components: {
      schemas: { Problem: problemSchema },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        oauth2: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: '/oauth/token', scopes: {} } } },
      },
    },
    paths: {
      '/v1/items': {
        get: {
          responses: {
            200: {
              description: 'Items',
              content: {
                'application/json': { schema: { type: 'object', properties: { data: { type: 'array', items: itemSchema } } } },
              },
            },
            401: problem('No or wrong credentials'),
            429: problem('Too many requests'),
          },
        },
        post: {
          requestBody: { required: true, content: { 'application/json': { schema: itemInput } } },
          responses: { 201: { description: 'Created' }, ...writeErrors },
        },
      },
      '/v1/items/{id}': {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
        get: {
          responses: {
            200: { description: 'An item', headers: { ETag: { required: true, schema: { type: 'string' } } } },
            304: { description: 'Not modified' },
            401: problem('No or wrong credentials'),
            404: problem('No such item'),
            429: problem('Too many requests'),
          },
        },
        patch: {
          requestBody: { required: true, content: { 'application/json': { schema: itemInput } } },
          responses: {
            200: { description: 'Changed' },
            404: problem('No such item'),
            412: problem('Stale If-Match'),
            ...writeErrors,
          },
        },
      },
      '/oauth/token': {
        post: {
          security: [],
          responses: {
            200: { description: 'A token' },
            400: { description: 'RFC 6749 error' },
            401: { description: 'RFC 6749 error' },
          },
        },
      },
      '/docs/errors': { get: { security: [], responses: { 200: { description: 'The error reference' } } } },
    },
  };
}

interface Context {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly requestId: string;
  readonly fault: Fault | undefined;
}

function sendProblem(
  context: Context,
  status: number,
  code: string,
  detail: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): void {
  const withId = context.fault !== 'request-id';
  const body = {
    type: `/docs/errors#${code}`,
    title: code.replace(/_/g, ' '),
    status,
    detail,
    code,
    ...(withId ? { request_id: context.requestId } : {}),
    ...extra,
  };
  context.response.writeHead(status, {
    'content-type': 'application/problem+json',
    ...(withId ? { 'x-request-id': context.requestId } : {}),
    ...headers,
  });
  context.response.end(JSON.stringify(body));
}

const routes: Record<string, string[]> = {
  '/v1/items': ['GET', 'POST'],
  '/v1/items/{id}': ['GET', 'PATCH'],
  '/oauth/token': ['POST'],
  '/docs/errors': ['GET'],
  '/docs/errors.json': ['GET'],
  '/openapi.json': ['GET'],
};

function routeOf(path: string): string | undefined {
  if (routes[path] !== undefined) return path;
  if (/^\/v1\/items\/[^/]+$/.test(path)) return '/v1/items/{id}';
  return undefined;
}

/** A running contract server; `fault` breaks one part of the contract. */
export async function startContractServer(fault?: Fault): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const items = new Map<number, { id: number; name: string; version: number }>([[1, { id: 1, name: 'first', version: 1 }]]);
  let windowStart = 0;
  let windowCount = 0;

  const server = createServer((request, response) => {
    const context: Context = { request, response, requestId: randomUUID(), fault };
    handle(context).catch(() => {
      if (!response.headersSent) sendProblem(context, 500, 'internal_error', 'Something went wrong.');
      else response.destroy();
    });
  });

  async function handle(context: Context): Promise<void> {
    const { request, response } = context;
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const method = request.method ?? 'GET';
    const route = routeOf(path);

    if (route === undefined) return notFound(context, method, path);
    const methods = routes[route] as string[];
    const allowed = method === 'HEAD' ? methods.includes('GET') : methods.includes(method);
    if (!allowed) {
      const allow = methods.includes('GET') ? [...methods, 'HEAD'] : methods;
      return sendProblem(
        context,
        405,
        'method_not_allowed',
        `${method} is not allowed here. Use ${allow.join(', ')}.`,
        {},
        fault === 'method-not-allowed' ? {} : { allow: allow.join(', ') },
      );
    }
    if (route === '/openapi.json') return json(context, 200, openapi(fault));
    if (route === '/docs/errors.json') return json(context, 200, catalog);
    if (route === '/docs/errors') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return void response.end(
        `<!doctype html><title>Errors</title>${catalog.errors.map((e) => `<section id="${e.code}"><h2>${e.code}</h2></section>`).join('')}`,
      );
    }
    if (route === '/oauth/token') return token(context);

    // The API's own operations: rate limit, then authentication, then the body.
    const now = Math.floor(Date.now() / 1000);
    if (now !== windowStart) {
      windowStart = now;
      windowCount = 0;
    }
    windowCount += 1;
    const rateHeaders = {
      'ratelimit-policy': `"default";q=${ratePerSecond};w=1`,
      ratelimit: `"default";r=${Math.max(0, ratePerSecond - windowCount)};t=1`,
    };
    if (windowCount > ratePerSecond) {
      return sendProblem(
        context,
        429,
        'limit_reached',
        'Too many requests; wait and try again.',
        {},
        { ...rateHeaders, ...(fault === 'rate-limit' ? {} : { 'retry-after': '1' }) },
      );
    }
    const authorization = request.headers.authorization;
    if (authorization !== `Bearer ${goodToken}`) {
      await drain(request);
      const challenge = authorization === undefined ? 'Bearer realm="items"' : 'Bearer realm="items", error="invalid_token"';
      return sendProblem(
        context,
        401,
        authorization === undefined ? 'unauthorized' : 'invalid_token',
        'Send a valid Bearer token.',
        {},
        fault === 'auth-challenge' ? {} : { 'www-authenticate': challenge },
      );
    }

    if (route === '/v1/items' && method !== 'POST')
      return json(context, 200, { data: [...items.values()].map(({ id, name }) => ({ id, name })) });
    const id = route === '/v1/items/{id}' ? Number(path.split('/').pop()) : undefined;
    const item = id === undefined ? undefined : items.get(id);
    if (id !== undefined && item === undefined)
      return sendProblem(context, 404, 'not_found', `No item ${path.split('/').pop()}.`);
    if (method === 'GET' || method === 'HEAD') {
      const etag = `"v${item?.version}"`;
      if (fault !== 'conditional-requests' && request.headers['if-none-match'] === etag) {
        response.writeHead(304, { etag });
        return void response.end();
      }
      return json(context, 200, item, { etag });
    }

    const body = await readJsonBody(context);
    if (body === undefined) return;
    const problems = validate(body);
    if (problems.length > 0) {
      const shown = fault === 'field-errors' ? problems.slice(0, 1) : problems;
      return sendProblem(context, 400, 'invalid_parameter', `${problems.length} fields are invalid.`, {
        errors: shown.map(([pointer, detail]) => ({ pointer, detail })),
      });
    }
    const input = body as { name: string };
    if (item !== undefined) {
      const ifMatch = request.headers['if-match'];
      if (fault !== 'conditional-requests' && ifMatch !== undefined && ifMatch !== `"v${item.version}"`) {
        return sendProblem(context, 412, 'precondition_failed', 'The item changed since you read it; read it again.');
      }
      item.name = input.name;
      item.version += 1;
      return json(context, 200, { id: item.id, name: item.name });
    }
    const created = { id: items.size + 1, name: input.name, version: 1 };
    items.set(created.id, created);
    return json(context, 201, { id: created.id, name: created.name });
  }

  function notFound(context: Context, method: string, path: string): void {
    const { response } = context;
    if (fault === 'unknown-path') {
      response.writeHead(404, { 'content-type': 'text/html' });
      return void response.end(`<!DOCTYPE html><html><body><pre>Cannot ${method} ${path}</pre></body></html>`);
    }
    if (fault === 'one-shape') {
      response.writeHead(404, { 'content-type': 'application/json', 'x-request-id': context.requestId });
      return void response.end(JSON.stringify({ error: { code: 404, message: `No route for ${path}`, status: 'NOT_FOUND' } }));
    }
    if (fault === 'no-leaks') {
      return sendProblem(
        context,
        404,
        'not_found',
        `No operation matches ${method} ${path}.\n    at Router.handle (/srv/app/node_modules/router/index.js:284:7)`,
      );
    }
    if (fault === 'catalog-codes') return sendProblem(context, 404, 'route_missing', `No operation matches ${method} ${path}.`);
    return sendProblem(context, 404, 'not_found', `No operation matches ${method} ${path}.`);
  }

  async function token(context: Context): Promise<void> {
    const { request, response } = context;
    const form = new URLSearchParams(await readText(request, bodyLimit));
    const headers = {
      'content-type': 'application/json',
      ...(fault === 'request-id' ? {} : { 'x-request-id': context.requestId }),
      ...(fault === 'oauth-token-errors' ? {} : { 'cache-control': 'no-store', pragma: 'no-cache' }),
    };
    if (form.get('grant_type') !== 'client_credentials') {
      response.writeHead(400, headers);
      return void response.end(
        JSON.stringify({ error: 'unsupported_grant_type', error_description: 'Only client_credentials is supported.' }),
      );
    }
    response.writeHead(401, { ...headers, 'www-authenticate': 'Basic realm="token"' });
    response.end(
      JSON.stringify({ error: 'invalid_client', error_description: 'No client has this id, or the secret is wrong.' }),
    );
  }

  /** The JSON body, or undefined after answering 413, 415 or 400. */
  async function readJsonBody(context: Context): Promise<unknown> {
    const { request } = context;
    const length = Number(request.headers['content-length'] ?? '0');
    if (length > bodyLimit) {
      // Answered from the announced length, before reading the body; Node closes the connection after it.
      sendProblem(context, 413, 'request_too_large', `The body is over ${bodyLimit} bytes.`, {}, { connection: 'close' });
      return undefined;
    }
    const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim();
    if (type !== 'application/json') {
      await drain(request);
      sendProblem(context, 415, 'invalid_content_type', 'Send the body as application/json.');
      return undefined;
    }
    const text = await readText(request, bodyLimit);
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      if (fault === 'unreadable-body') {
        sendProblem(context, 500, 'internal_error', 'Something went wrong.');
        return undefined;
      }
      sendProblem(context, 400, 'invalid_request', `The body is not valid JSON: ${(error as Error).message}`);
      return undefined;
    }
  }

  if (fault !== 'oversized-request') {
    server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
      if (!socket.writable) return socket.destroy();
      const requestId = randomUUID();
      const withId = fault !== 'request-id';
      const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
      const code = status === 431 ? 'request_too_large' : 'invalid_request';
      const body = JSON.stringify({
        type: `/docs/errors#${code}`,
        title: code,
        status,
        detail: 'The request could not be read.',
        code,
        ...(withId ? { request_id: requestId } : {}),
      });
      socket.end(
        `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\ncontent-type: application/problem+json\r\n${withId ? `x-request-id: ${requestId}\r\n` : ''}content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  function json(context: Context, status: number, value: unknown, headers: Record<string, string> = {}): void {
    const withId = context.fault !== 'request-id';
    context.response.writeHead(status, {
      'content-type': 'application/json',
      ...(withId ? { 'x-request-id': context.requestId } : {}),
      ...headers,
    });
    context.response.end(context.request.method === 'HEAD' ? undefined : JSON.stringify(value));
  }
}

function validate(body: unknown): [string, string][] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [['', 'must be an object']];
  const record = body as Record<string, unknown>;
  const problems: [string, string][] = [];
  if (typeof record['name'] !== 'string' || record['name'] === '')
    problems.push(['/name', record['name'] === undefined ? 'is required' : 'must be a non-empty string']);
  if (record['size'] !== undefined && !Number.isInteger(record['size'])) problems.push(['/size', 'must be an integer']);
  for (const key of Object.keys(record))
    if (key !== 'name' && key !== 'size') problems.push([`/${key}`, 'is not a field of an item']);
  return problems;
}

function readText(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > limit) reject(new Error('too large'));
    });
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
}

async function drain(request: IncomingMessage): Promise<void> {
  if (request.readableEnded) return;
  await readText(request, bodyLimit * 4).catch(() => undefined);
}
