import type { CheckContext, CheckDefinition, Finding } from '../check-definition.js';
import { header, jsonObject, type Exchange } from '../exchange.js';

/** RFC 6749 section 5.2's codes. */
const tokenErrorCodes = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
]);
/** RFC 6749 appendix A: error_description is %x20-21 / %x23-5B / %x5D-7E. */
const descriptionCharacters = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;
const form = [['Content-Type', 'application/x-www-form-urlencoded']] as const;

/** Check 14: an OAuth 2 token endpoint answers errors the way RFC 6749 says. */
export const oauthTokenErrors: CheckDefinition = {
  id: 'oauth-token-errors',
  number: 14,
  title: 'OAuth 2 token endpoint: RFC 6749 errors',
  severity: 'error',
  phase: 'probe',
  sends:
    'When the document or the RFC 8414 metadata (/.well-known/oauth-authorization-server) names a token endpoint on the target: a request with an unsupported grant_type, and a client_credentials request with a client that does not exist (HTTP Basic).',
  expects:
    "unsupported_grant_type with 400 (or invalid_client with 401, for a server that authenticates the client first); invalid_client with 401 and a WWW-Authenticate challenge for the wrong client; on each, Cache-Control: no-store, a JSON body with an RFC 6749 error code, and an error_description within RFC 6749's character set.",
  why: "OAuth client libraries read the token endpoint's errors by the letter of RFC 6749: a different shape, a 400 where a 401 is due, or a description with characters outside its set breaks them, and a cached token response is a leaked token.",
  remedy:
    'Answer token errors with {"error", "error_description", "error_uri"} exactly as RFC 6749 section 5.2 says, 401 plus WWW-Authenticate when client authentication failed, Cache-Control: no-store and Pragma: no-cache on every answer, and keep error_description to printable ASCII without " and \\.',
  async run(context) {
    const endpoint = await tokenEndpoint(context);
    if (endpoint.path === undefined) return { skipped: endpoint.why, findings: [] };
    const path = endpoint.path;
    const findings: Finding[] = [];
    const unsupported = await context.send({
      method: 'POST',
      path,
      fromOrigin: true,
      headers: [...form],
      body: 'grant_type=faultline_check_unsupported&client_id=faultline-check',
      withoutCredentials: true,
      oauthEndpoint: true,
    });
    findings.push(...judge(unsupported, 'an unsupported grant_type', ['unsupported_grant_type', 'invalid_client']));
    const basic = Buffer.from('faultline-check-wrong-client:faultline-check-wrong-secret').toString('base64');
    const wrongClient = await context.send({
      method: 'POST',
      path,
      fromOrigin: true,
      headers: [...form, ['Authorization', `Basic ${basic}`]],
      body: 'grant_type=client_credentials',
      withoutCredentials: true,
      oauthEndpoint: true,
    });
    findings.push(...judge(wrongClient, 'a client that does not exist', ['invalid_client']));
    return { findings, covered: `POST ${path}` };
  },
};

function judge(exchange: Exchange, what: string, codes: readonly string[]): Finding[] {
  const response = exchange.response;
  if (response === undefined) return [{ message: `${what}: ${exchange.failure?.message ?? 'no answer'}`, exchange }];
  const findings: Finding[] = [];
  const body = jsonObject(response);
  const code = typeof body?.['error'] === 'string' ? body['error'] : undefined;
  if (code === undefined || !tokenErrorCodes.has(code))
    findings.push({ message: `${what} got ${response.status} without an RFC 6749 "error" code`, exchange });
  else if (!codes.includes(code)) findings.push({ message: `${what} got "${code}", not ${codes.join(' or ')}`, exchange });
  const expectedStatus = code === 'invalid_client' ? 401 : 400;
  if (code !== undefined && codes.includes(code) && response.status !== expectedStatus)
    findings.push({ message: `${what} got "${code}" with ${response.status}, not ${expectedStatus}`, exchange });
  if (code === 'invalid_client' && header(response, 'www-authenticate') === undefined)
    findings.push({
      message: `the 401 invalid_client for ${what} has no WWW-Authenticate challenge`,
      exchange,
      evidence: 'WWW-Authenticate: (missing)',
    });
  if (!/\bno-store\b/i.test(header(response, 'cache-control') ?? ''))
    findings.push({
      message: `the answer to ${what} lacks Cache-Control: no-store`,
      exchange,
      evidence: `Cache-Control: ${header(response, 'cache-control') ?? '(missing)'}`,
    });
  const description = body?.['error_description'];
  if (typeof description === 'string' && !descriptionCharacters.test(description))
    findings.push({
      message: `the error_description for ${what} has characters RFC 6749 does not allow`,
      exchange,
      evidence: `error_description: ${JSON.stringify(description)}`,
    });
  return findings;
}

/** The token endpoint's path on the target: from the document's OAuth flows, else the RFC 8414 metadata. */
async function tokenEndpoint(context: CheckContext): Promise<{ path?: string; why: string }> {
  for (const scheme of context.document?.securitySchemes.values() ?? []) {
    if (scheme.tokenUrl === undefined) continue;
    const path = onTarget(context, scheme.tokenUrl);
    if (path !== undefined) return { path, why: '' };
  }
  const metadata = await context.send({
    method: 'GET',
    path: '/.well-known/oauth-authorization-server',
    fromOrigin: true,
    withoutCredentials: true,
  });
  const tokenUrl = metadata.response?.status === 200 ? jsonObject(metadata.response)?.['token_endpoint'] : undefined;
  if (typeof tokenUrl !== 'string')
    return { why: 'no token endpoint is named by the document or /.well-known/oauth-authorization-server' };
  const path = onTarget(context, tokenUrl);
  return path === undefined ? { why: `the token endpoint ${tokenUrl} is not on the target's origin` } : { path, why: '' };
}

/** The path of a URL on the target's origin (relative URLs resolve against it; a loopback name for the same port counts as the target). */
function onTarget(context: CheckContext, raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw, context.base);
  } catch {
    return undefined;
  }
  const loopback = (host: string) => ['localhost', '127.0.0.1', '[::1]'].includes(host);
  const same =
    url.origin === context.base.origin ||
    (url.protocol === context.base.protocol &&
      url.port === context.base.port &&
      loopback(url.hostname) &&
      loopback(context.base.hostname));
  return same ? url.pathname + url.search : undefined;
}
