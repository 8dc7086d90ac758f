import type { CheckContext, CheckDefinition, CheckOutcome, Finding, Probe } from './check-definition.js';
import { checkDefinitions } from './checks/index.js';
import { readCatalogIndex, type CatalogIndex } from './catalog-index.js';
import { readApiDocument, type ApiDocument } from './discovery/api-document.js';
import { readSource, SourceError } from './discovery/read-source.js';
import { recognizeErrorShape, type ErrorShapeName } from './error-shape.js';
import { isError, isJsonMediaType, mediaType, type Exchange, type ReceivedResponse } from './exchange.js';
import { checkDocsUrl } from './report/docs-url.js';
import { Redactor } from './report/redact.js';
import type { CheckReport, CheckResult, FindingReport } from './report/check-report.js';
import { Transport } from './transport.js';

/** What {@link checkApi} is asked to do. Every bound has a safe default. */
export interface CheckOptions {
  /** The API's base URL: its origin, and a base path the paths are under. */
  readonly baseUrl: string;
  /** An OpenAPI 3.0/3.1 document, JSON or YAML: a file, or a URL on the target's origin. Default: `<base>/openapi.json`, if it is there. */
  readonly openapi?: string;
  /** Paths to check when there is no document (e.g. `/v1/users`). */
  readonly paths?: readonly string[];
  /** Sent with every request but the ones that test authentication; their values never appear in the report. */
  readonly headers?: readonly (readonly [string, string])[];
  /** A Faultline catalog JSON (such as `/docs/errors.json`): a file, or a URL on the target's origin. */
  readonly catalog?: string;
  /** At most this many requests. Default 300. */
  readonly maxRequests?: number;
  /** At most this many requests per second. Default 20. */
  readonly rate?: number;
  /** Per request. Default 5000 ms. */
  readonly timeoutMs?: number;
  /** Only this much of any answer's body is read. Default 256 KiB. */
  readonly maxBodyBytes?: number;
  /** Allow requests a correct API could act on (the `If-Match` check). Default false. */
  readonly allowWrites?: boolean;
  /** Run the rate-limit check: send up to this many requests, unpaced, and expect a 429 among them. */
  readonly flood?: number;
  /** The longest a check waits for a `Retry-After`. Default 60 s. */
  readonly maxWaitMs?: number;
  /** Where the check reference is published; each result links to `${docsUrl}#${id}`. */
  readonly docsUrl?: string;
  /** Relative file names are read from here. Default: `process.cwd()`. */
  readonly cwd?: string;
  /** Told when a check starts and after each request. */
  readonly onProgress?: (progress: { readonly check: string; readonly requests: number }) => void;
}

export const defaultLimits = { maxRequests: 300, rate: 20, timeoutMs: 5000, maxBodyBytes: 256 * 1024 } as const;
const maxDocumentBytes = 16 * 1024 * 1024;

/**
 * Holds a running HTTP API to the error contract and resolves to a report.
 * Problems with the options (a bad URL, a missing file) reject with a
 * {@link SourceError} or a RangeError; anything the API answers, or fails
 * to answer, ends up in the report.
 *
 * @example
 * const report = await checkApi({ baseUrl: 'http://127.0.0.1:3000', headers: [['Authorization', `Bearer ${key}`]] });
 * if (!report.ok) console.log(report.checks.filter((check) => check.status === 'fail').map((check) => check.id));
 */
export async function checkApi(options: CheckOptions): Promise<CheckReport> {
  const started = Date.now();
  const base = parseBase(options.baseUrl);
  const limits = {
    maxRequests: positive(options.maxRequests ?? defaultLimits.maxRequests, 'maxRequests'),
    rate: positive(options.rate ?? defaultLimits.rate, 'rate'),
    timeoutMs: positive(options.timeoutMs ?? defaultLimits.timeoutMs, 'timeoutMs'),
    maxBodyBytes: positive(options.maxBodyBytes ?? defaultLimits.maxBodyBytes, 'maxBodyBytes'),
    maxDocumentBytes,
  };
  const transport = new Transport(new URL(base.origin), limits);
  const credentials = options.headers ?? [];
  const redactor = new Redactor(credentials);
  const cwd = options.cwd ?? process.cwd();
  const exchanges: Exchange[] = [];
  let currentCheck = 'discovery';
  transport.onSent = (requests) => options.onProgress?.({ check: currentCheck, requests });

  const { document, documentNote, unreachable } = await discoverDocument(options, base, transport, cwd, credentials);
  const catalog =
    options.catalog === undefined || unreachable !== undefined
      ? undefined
      : await loadCatalog(options.catalog, transport, cwd, credentials);

  const send = async (probe: Probe): Promise<Exchange> => {
    const headers: [string, string][] = [
      // What an ordinary JSON client sends; asking for problem+json would let an API that negotiates its error format answer in another shape than its own.
      ['Accept', 'application/json'],
      ['User-Agent', 'faultline-check'],
      ...(probe.headers ?? []).map(([name, value]) => [name, value] as [string, string]),
    ];
    if (probe.withoutCredentials !== true) {
      for (const [name, value] of credentials)
        if (!headers.some(([n]) => n.toLowerCase() === name.toLowerCase())) headers.push([name, value]);
    }
    const target = probe.fromOrigin === true ? probe.path : joinPath(base, probe.path);
    const result = await transport.send({
      method: probe.method,
      target,
      headers,
      ...(probe.body === undefined ? {} : { body: probe.body }),
      ...(probe.announcedLength === undefined ? {} : { announcedLength: probe.announcedLength }),
      ...(probe.unpaced === true ? { unpaced: true } : {}),
    });
    const bodyText = probe.body === undefined ? undefined : Buffer.from(probe.body).toString('utf8');
    const exchange: Exchange = {
      id: exchanges.length + 1,
      checkId: currentCheck,
      ...(probe.operation === undefined ? {} : { operation: probe.operation }),
      request: {
        method: probe.method,
        target,
        headers,
        ...(bodyText === undefined
          ? {}
          : { body: bodyText.length > 600 ? `${bodyText.slice(0, 600)}… (${bodyText.length} characters)` : bodyText }),
        ...(probe.announcedLength === undefined ? {} : { announcedLength: probe.announcedLength }),
      },
      ...(result.ok ? { response: received(result.response) } : { failure: result.failure }),
      ms: result.ms,
      ...(probe.oauthEndpoint === true ? { oauthEndpoint: true } : {}),
    };
    exchanges.push(exchange);
    return exchange;
  };

  const context: CheckContext = {
    base,
    send,
    document,
    knownPaths: knownPaths(options.paths, document),
    catalog: catalog?.index,
    hasCredentials: credentials.length > 0,
    exchanges,
    allowWrites: options.allowWrites === true,
    flood: options.flood,
    requestsLeft: () => transport.left,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    maxWaitMs: options.maxWaitMs ?? 60_000,
  };

  const outcomes = new Map<string, CheckOutcome>();
  let unreachableMessage = unreachable;
  if (unreachableMessage === undefined) {
    const ordered = (['probe', 'flood', 'review'] as const).flatMap((phase) =>
      checkDefinitions.filter((check) => check.phase === phase),
    );
    for (const check of ordered) {
      currentCheck = check.id;
      options.onProgress?.({ check: check.id, requests: transport.count });
      const outcome = await runOne(check, context);
      outcomes.set(check.id, outcome);
      // An answer an error check found at fault is left to it; a warning does not hide an answer from the checks after it.
      if (check.severity === 'error')
        for (const finding of outcome.findings) if (finding.exchange !== undefined) finding.exchange.faultedBy ??= check.id;
      const first = exchanges[0];
      if (first?.failure?.kind === 'unreachable' && exchanges.every((exchange) => exchange.failure?.kind === 'unreachable')) {
        unreachableMessage = first.failure.message;
        break;
      }
    }
  }

  const docsUrl = options.docsUrl ?? checkDocsUrl;
  const results: CheckResult[] =
    unreachableMessage === undefined
      ? checkDefinitions.map((check) => toResult(check, outcomes.get(check.id) ?? { findings: [] }, docsUrl, base))
      : [];
  const summary = { pass: 0, fail: 0, warn: 0, skip: 0 };
  for (const result of results) summary[result.status] += 1;
  const report: CheckReport = {
    schemaVersion: 1,
    target: base.href,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    requests: transport.count,
    ok: unreachableMessage === undefined && summary.fail === 0,
    ...(unreachableMessage === undefined ? {} : { unreachable: unreachableMessage }),
    document:
      document === undefined
        ? null
        : { source: document.source, openapi: document.openapi, operations: document.operations.length },
    catalog: catalog === undefined ? null : { source: options.catalog as string, codes: catalog.index.size },
    shape: dominantShape(exchanges),
    summary,
    ...(document === undefined && documentNote !== undefined ? { documentMissing: documentNote } : {}),
    checks: results,
  };
  return redactor.report(report);
}

async function runOne(check: CheckDefinition, context: CheckContext): Promise<CheckOutcome> {
  try {
    return await check.run(context);
  } catch (error) {
    // A check's own bug must not cost the rest of the report.
    return { skipped: `the check could not run: ${error instanceof Error ? error.message : String(error)}`, findings: [] };
  }
}

function toResult(check: CheckDefinition, outcome: CheckOutcome, docsUrl: string, base: URL): CheckResult {
  const failed = outcome.skipped === undefined && outcome.findings.length > 0;
  const status = outcome.skipped !== undefined ? 'skip' : !failed ? 'pass' : check.severity === 'error' ? 'fail' : 'warn';
  return {
    id: check.id,
    number: check.number,
    title: check.title,
    severity: check.severity,
    status,
    docsUrl: `${docsUrl}#${check.id}`,
    expects: check.expects,
    remedy: check.remedy,
    ...(outcome.skipped === undefined ? {} : { skipped: outcome.skipped }),
    ...(outcome.covered === undefined ? {} : { covered: outcome.covered }),
    findings: outcome.skipped === undefined ? outcome.findings.map((finding) => toFindingReport(finding, base)) : [],
  };
}

function toFindingReport(finding: Finding, base: URL): FindingReport {
  const exchange = finding.exchange;
  if (exchange === undefined)
    return { message: finding.message, ...(finding.evidence === undefined ? {} : { evidence: finding.evidence }) };
  const { request, response, failure } = exchange;
  return {
    message: finding.message,
    ...(finding.evidence === undefined ? {} : { evidence: finding.evidence }),
    request: {
      method: request.method,
      url: base.origin + request.target,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      ...(request.announcedLength === undefined ? {} : { announcedLength: request.announcedLength }),
    },
    ...(response === undefined
      ? {}
      : {
          response: {
            status: response.status,
            headers: response.headers,
            body: response.body.length > 2000 ? response.body.slice(0, 2000) : response.body,
            bodyCut: response.bodyCut || response.body.length > 2000,
          },
        }),
    ...(failure === undefined ? {} : { failure: failure.message }),
  };
}

function received(response: {
  status: number;
  headers: readonly (readonly [string, string])[];
  body: Buffer;
  bodyCut: boolean;
  bodyIncomplete: boolean;
}): ReceivedResponse {
  const text = response.body.toString('utf8');
  const partial: ReceivedResponse = {
    status: response.status,
    headers: response.headers,
    body: text,
    bodyCut: response.bodyCut,
    bodyIncomplete: response.bodyIncomplete,
  };
  const type = mediaType(partial);
  if (response.bodyCut || text.trim() === '' || !(isJsonMediaType(type) || /^\s*[{[]/.test(text))) return partial;
  try {
    return { ...partial, json: JSON.parse(text) as unknown };
  } catch {
    return partial;
  }
}

/** The shape most error bodies were written in. */
function dominantShape(exchanges: readonly Exchange[]): ErrorShapeName | null {
  const counts = new Map<ErrorShapeName, number>();
  for (const exchange of exchanges) {
    if (!isError(exchange) || exchange.oauthEndpoint === true || exchange.response.json === undefined) continue;
    const name = recognizeErrorShape(exchange.response.json, mediaType(exchange.response)).name;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  let best: ErrorShapeName | null = null;
  for (const [name, count] of counts) if (best === null || count > (counts.get(best) ?? 0)) best = name;
  return best;
}

function parseBase(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SourceError(`the base URL must be an absolute http or https URL, not "${raw}"`);
  }
  if (
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.username !== '' ||
    url.password !== '' ||
    url.search !== '' ||
    url.hash !== ''
  ) {
    throw new SourceError(`the base URL must be an http or https URL without credentials, query or fragment, not "${raw}"`);
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, not ${value}`);
  return value;
}

/** The base path joined with a probe's path: `/api/` + `/v1/x` = `/api/v1/x`. */
function joinPath(base: URL, path: string): string {
  return base.pathname.replace(/\/$/, '') + (path.startsWith('/') ? path : `/${path}`);
}

function knownPaths(paths: readonly string[] | undefined, document: ApiDocument | undefined): string[] {
  if (paths !== undefined && paths.length > 0) return paths.map((path) => (path.startsWith('/') ? path : `/${path}`));
  if (document === undefined) return [];
  return document.operations
    .filter((operation) => operation.method === 'GET' && !operation.path.includes('{'))
    .map((operation) => operation.path);
}

async function discoverDocument(
  options: CheckOptions,
  base: URL,
  transport: Transport,
  cwd: string,
  credentials: readonly (readonly [string, string])[],
): Promise<{ document: ApiDocument | undefined; documentNote?: string; unreachable?: string }> {
  const explicit = options.openapi;
  const source = explicit ?? new URL('openapi.json', base).href;
  const read = await labelled('--openapi', readSource(source, transport, maxDocumentBytes, cwd, credentials));
  if (!read.ok) {
    if (read.unreachable !== undefined) return { document: undefined, unreachable: read.unreachable };
    if (explicit !== undefined) throw new SourceError(`--openapi: ${read.message}`);
    return { document: undefined, documentNote: read.message };
  }
  try {
    return { document: readApiDocument(read.value, source) };
  } catch (error) {
    if (explicit !== undefined) throw new SourceError(`--openapi: ${(error as Error).message}`);
    return { document: undefined, documentNote: (error as Error).message };
  }
}

async function loadCatalog(
  source: string,
  transport: Transport,
  cwd: string,
  credentials: readonly (readonly [string, string])[],
): Promise<{ index: CatalogIndex }> {
  const read = await labelled('--catalog', readSource(source, transport, maxDocumentBytes, cwd, credentials));
  if (!read.ok) throw new SourceError(`--catalog: ${read.message}`);
  try {
    return { index: readCatalogIndex(read.value, source) };
  } catch (error) {
    throw new SourceError(`--catalog: ${(error as Error).message}`);
  }
}

/** A source error names the option it came from. */
async function labelled<T>(option: string, reading: Promise<T>): Promise<T> {
  try {
    return await reading;
  } catch (error) {
    if (error instanceof SourceError) throw new SourceError(`${option} ${error.message}`);
    throw error;
  }
}
