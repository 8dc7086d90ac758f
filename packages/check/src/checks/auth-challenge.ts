import type { CheckContext, CheckDefinition, Finding } from '../check-definition.js';
import type { Operation, SecurityScheme } from '../discovery/api-document.js';
import { challenge, errorBodyFault, fillPath, noAnswer } from './support.js';

/** The deliberately wrong credential: never a secret, and shown as sent. */
const wrongToken = 'faultline-check-wrong-token';

/** Check 5: missing and wrong credentials get a 401 with a challenge. */
export const authChallenge: CheckDefinition = {
  id: 'auth-challenge',
  number: 5,
  title: 'No or wrong credentials: 401 with WWW-Authenticate',
  severity: 'error',
  phase: 'probe',
  sends:
    'To an operation that requires authentication (a GET when there is one): no credentials, then a wrong one in the form its security scheme names (a Bearer token, Basic credentials, or an API key header).',
  expects:
    'A 401 with an error body and a WWW-Authenticate challenge each time; for a wrong Bearer token, the challenge carries error="invalid_token" (RFC 6750 section 3.1).',
  why: 'RFC 9110 requires a WWW-Authenticate challenge on every 401: it tells a client which scheme to use, and lets HTTP libraries retry with credentials. For Bearer tokens, error="invalid_token" is what tells a client to refresh its token rather than ask the user again.',
  remedy:
    'Send WWW-Authenticate on every 401: `Bearer realm="api"` when no credentials came, `Bearer realm="api", error="invalid_token"` when the token is wrong or expired (and `Basic realm="api"` if you accept Basic). Answer 401 for missing or wrong credentials and 403 only for valid credentials that are not allowed.',
  async run(context) {
    const target = pick(context);
    if (target === undefined) {
      return {
        skipped:
          context.document === undefined && context.knownPaths.length === 0
            ? 'needs an API document or --path'
            : 'no operation requires authentication',
        findings: [],
      };
    }
    const { path, operation, scheme } = target;
    const ref = operation === undefined ? {} : { operation: { method: operation.method, path: operation.path } };
    const findings: Finding[] = [];
    const missing = await context.send({ method: 'GET', path, withoutCredentials: true, ...ref });
    if (operation === undefined && missing.response !== undefined && missing.response.status < 400) {
      return {
        skipped: `${path} answers without credentials (give a path that requires them, or an API document)`,
        findings: [],
      };
    }
    findings.push(...judge(missing, 'a request without credentials', false));
    const wrong = wrongCredential(scheme);
    if (wrong !== undefined) {
      const exchange = await context.send({ method: 'GET', path, headers: [wrong], withoutCredentials: true, ...ref });
      findings.push(
        ...judge(
          exchange,
          `a wrong ${scheme?.scheme === 'basic' ? 'Basic credential' : scheme?.type === 'apiKey' ? 'API key' : 'Bearer token'}`,
          scheme === undefined || scheme.scheme === 'bearer' || scheme.type === 'oauth2' || scheme.type === 'openIdConnect',
        ),
      );
    }
    return { findings, covered: `GET ${operation?.path ?? path}` };
  },
};

function judge(exchange: Parameters<typeof noAnswer>[0], what: string, bearer: boolean): Finding[] {
  const response = exchange.response;
  if (response === undefined) return [noAnswer(exchange, `a 401 for ${what}`)];
  if (response.status !== 401) return [{ message: `${what} got ${response.status}, not 401`, exchange }];
  const findings: Finding[] = [];
  const value = challenge(response);
  if (value === undefined)
    findings.push({
      message: `the 401 for ${what} has no WWW-Authenticate challenge`,
      exchange,
      evidence: 'WWW-Authenticate: (missing)',
    });
  else if (bearer && /^bearer\b/i.test(value.trim()) === false && !/\bbearer\b/i.test(value)) {
    findings.push({
      message: `the 401 for ${what} does not challenge for Bearer`,
      exchange,
      evidence: `WWW-Authenticate: ${value}`,
    });
  } else if (bearer && what.startsWith('a wrong') && !/error\s*=\s*"?invalid_token"?/i.test(value)) {
    findings.push({
      message: `the challenge for ${what} lacks error="invalid_token" (RFC 6750)`,
      exchange,
      evidence: `WWW-Authenticate: ${value}`,
    });
  }
  const fault = errorBodyFault(response);
  if (fault !== undefined) findings.push({ message: `the 401 for ${what} is not an error body: ${fault}`, exchange });
  return findings;
}

/** The operation to ask: a secured GET, parameterless first; or, without a document, the first --path. */
function pick(context: CheckContext): { path: string; operation?: Operation; scheme?: SecurityScheme } | undefined {
  const document = context.document;
  if (document === undefined) {
    const path = context.knownPaths[0];
    return path === undefined ? undefined : { path };
  }
  const secured = document.operations
    .filter((operation) => operation.method === 'GET' && operation.security.length > 0)
    .sort((a, b) => Number(a.path.includes('{')) - Number(b.path.includes('{')));
  const operation = secured[0];
  if (operation === undefined) return undefined;
  const schemes = operation.security
    .map((name) => document.securitySchemes.get(name))
    .filter((s): s is SecurityScheme => s !== undefined);
  const scheme = schemes.find((s) => s.scheme === 'bearer' || s.type === 'oauth2') ?? schemes[0];
  return { path: fillPath(operation), operation, ...(scheme === undefined ? {} : { scheme }) };
}

function wrongCredential(scheme: SecurityScheme | undefined): [string, string] | undefined {
  if (scheme === undefined || scheme.scheme === 'bearer' || scheme.type === 'oauth2' || scheme.type === 'openIdConnect')
    return ['Authorization', `Bearer ${wrongToken}`];
  if (scheme.scheme === 'basic')
    return ['Authorization', `Basic ${Buffer.from(`${wrongToken}:${wrongToken}`).toString('base64')}`];
  if (scheme.type === 'apiKey' && scheme.in === 'header' && scheme.name !== undefined) return [scheme.name, wrongToken];
  return undefined;
}
