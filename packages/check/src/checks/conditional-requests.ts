import type { CheckContext, CheckDefinition, Finding } from '../check-definition.js';
import type { Operation } from '../discovery/api-document.js';
import { header, type Exchange } from '../exchange.js';
import { sampleValue } from './support.js';

/** Check 13: a stale If-Match gets 412 (with --allow-writes); a current If-None-Match gets 304. */
export const conditionalRequests: CheckDefinition = {
  id: 'conditional-requests',
  number: 13,
  title: 'Conditional requests: 304 for a current ETag, 412 for a stale one',
  severity: 'error',
  phase: 'probe',
  sends:
    'A GET of a resource that answers with an ETag, again with If-None-Match set to that ETag; with --allow-writes, a PATCH (or PUT, or DELETE) of it with If-Match set to an ETag it never had.',
  expects:
    '304 Not Modified with no body for the current ETag; 412 Precondition Failed with an error body for the stale one, and the resource unchanged.',
  why: "Conditional requests are how clients avoid overwriting each other's changes (lost updates) and re-downloading what they have. An API that sends ETags but ignores If-Match promises a safety it does not give.",
  remedy:
    'Compare If-None-Match with the current ETag on GET and answer 304; on writes, compare If-Match before doing anything and answer 412 (with your error body) when it does not match.',
  async run(context) {
    const found = await findResource(context);
    if (found === undefined)
      return {
        skipped: context.allowWrites
          ? 'no readable resource answers with an ETag'
          : 'no readable resource answers with an ETag (with --allow-writes, the check may create one)',
        findings: [],
      };
    const { path, operation, etag } = found;
    const findings: Finding[] = [];
    const ref = { operation: { method: 'GET', path: operation.path } };
    const cached = await context.send({ method: 'GET', path, headers: [['If-None-Match', etag]], ...ref });
    if (cached.response?.status !== 304)
      findings.push({
        message: `If-None-Match with the current ETag got ${cached.response?.status ?? cached.failure?.message}, not 304`,
        exchange: cached,
        evidence: `ETag: ${etag}`,
      });
    else if (cached.response.body !== '') findings.push({ message: 'the 304 has a body', exchange: cached });
    const writes = (context.document?.operations ?? []).filter((candidate) => candidate.path === operation.path);
    const write = ['PATCH', 'PUT', 'DELETE']
      .map((method) => writes.find((candidate) => candidate.method === method))
      .find((candidate) => candidate !== undefined);
    if (!context.allowWrites || write === undefined) {
      return { findings, covered: `GET ${operation.path}${context.allowWrites ? '' : ' (If-Match needs --allow-writes)'}` };
    }
    const stale = '"faultline-check-stale"';
    // A body the API would accept, so the only thing wrong is the precondition (RFC 9110 evaluates it after the usual checks).
    const body =
      write.method === 'DELETE'
        ? {}
        : {
            headers: [['Content-Type', 'application/json']] as [string, string][],
            body: JSON.stringify(validBody(write.requestBody?.jsonSchema)),
          };
    const precondition = await context.send({
      method: write.method,
      path,
      ...body,
      headers: [...(body.headers ?? []), ['If-Match', stale]],
      operation: { method: write.method, path: write.path },
    });
    if (precondition.response?.status !== 412)
      findings.push({
        message: `${write.method} with a stale If-Match got ${precondition.response?.status ?? precondition.failure?.message}, not 412`,
        exchange: precondition,
      });
    return { findings, covered: `GET and ${write.method} ${operation.path}` };
  },
};

/** A GET of a single resource that answers 200 with an ETag: an item path filled with an id from its collection, or a path without parameters. */
async function findResource(context: CheckContext): Promise<{ path: string; operation: Operation; etag: string } | undefined> {
  const operations = (context.document?.operations ?? []).filter(
    (operation) => operation.method === 'GET' && (operation.security.length === 0 || context.hasCredentials),
  );
  const items = operations.filter((operation) => /^[^{]*\{[^}]+\}$/.test(operation.path)).slice(0, 3);
  for (const item of items) {
    const collectionPath = item.path.replace(/\/\{[^}]+\}$/, '');
    const collection = operations.find((operation) => operation.path === collectionPath);
    if (collection === undefined) continue;
    const list = await context.send({ method: 'GET', path: collectionPath, operation: { method: 'GET', path: collectionPath } });
    const id = firstId(list) ?? (context.allowWrites ? await create(context, collectionPath) : undefined);
    if (id === undefined) continue;
    const path = collectionPath + '/' + encodeURIComponent(id);
    const got = await context.send({ method: 'GET', path, operation: { method: 'GET', path: item.path } });
    const etag = got.response?.status === 200 ? header(got.response, 'etag') : undefined;
    if (etag !== undefined) return { path, operation: item, etag };
  }
  return undefined;
}

/** The required fields with plausible values; when none is required, the first simple one. */
function validBody(schema: Record<string, unknown> | undefined): Record<string, unknown> {
  const properties = (schema?.['properties'] ?? {}) as Record<string, Record<string, unknown>>;
  const body: Record<string, unknown> = {};
  for (const name of Array.isArray(schema?.['required']) ? (schema['required'] as string[]) : [])
    body[name] = sampleValue(properties[name]);
  if (Object.keys(body).length > 0) return body;
  const simple = Object.keys(properties).find((name) =>
    ['string', 'integer', 'number', 'boolean'].includes(String(properties[name]?.['type'])),
  );
  if (simple !== undefined) body[simple] = sampleValue(properties[simple]);
  return body;
}

/** With --allow-writes, a new resource made from the document's schema (its required fields only); its id, or undefined. */
async function create(context: CheckContext, collectionPath: string): Promise<string | undefined> {
  const post = context.document?.operations.find((operation) => operation.method === 'POST' && operation.path === collectionPath);
  const schema = post?.requestBody?.jsonSchema;
  if (post === undefined || schema === undefined) return undefined;
  const body = validBody(schema);
  const created = await context.send({
    method: 'POST',
    path: collectionPath,
    headers: [['Content-Type', 'application/json']],
    body: JSON.stringify(body),
    operation: { method: 'POST', path: collectionPath },
  });
  const id = (created.response?.json as { id?: unknown } | undefined)?.id;
  if (created.response !== undefined && created.response.status < 300 && (typeof id === 'string' || typeof id === 'number'))
    return String(id);
  return undefined;
}

/** The id of the first item of a list answer: `[{id}]`, `{data: [{id}]}` or `{items: [...]}`. */
function firstId(exchange: Exchange): string | undefined {
  const json = exchange.response?.status === 200 ? exchange.response.json : undefined;
  const list = Array.isArray(json) ? json : Object.values((json ?? {}) as Record<string, unknown>).find(Array.isArray);
  const id = (list?.[0] as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}
