import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { scopeDescriptions, isScope } from './scopes.js';

/**
 * The HTML pages of the authorization endpoint: log in, consent, and the error
 * page shown when the client cannot be trusted with a redirect. Plain
 * server-rendered HTML with no script, every value escaped, and headers that
 * keep it out of frames (clickjacking, RFC 6749 §10.13) and out of caches.
 */

const style = `body{font:16px/1.5 system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}
h1{font-size:1.4rem}label{display:block;margin:.75rem 0 .25rem}input[type=email],input[type=password]{width:100%;padding:.5rem;box-sizing:border-box}
button{margin:1rem .5rem 0 0;padding:.5rem 1.25rem;font-size:1rem}.error{color:#a00;border-left:3px solid #a00;padding-left:.5rem}
ul{padding-left:1.25rem}code{background:#f2f2f2;padding:0 .2rem}`;

const styleHash = `'sha256-${createHash('sha256').update(style).digest('base64')}'`;

/**
 * Frames are refused twice (the header for old browsers). Forms post only to
 * this server; `redirectOrigin`, the origin of the client's verified redirect
 * URI, is allowed too because browsers apply form-action to the redirect that
 * answers the form (CSP Level 3), and the consent's answer is that redirect.
 */
export function pageSecurityPolicy(redirectOrigin?: string): string {
  const targets = redirectOrigin === undefined ? "'self'" : `'self' ${redirectOrigin}`;
  return `default-src 'none'; style-src ${styleHash}; form-action ${targets}; frame-ancestors 'none'; base-uri 'none'`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${style}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/** Sends a page with the headers every OAuth page carries; `redirectUri` is where its form's answer may redirect. */
export function sendPage(reply: FastifyReply, status: number, html: string, redirectUri?: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .header('x-frame-options', 'DENY')
    .header('content-security-policy', pageSecurityPolicy(redirectUri === undefined ? undefined : new URL(redirectUri).origin))
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .send(html);
}

function hidden(fields: Readonly<Record<string, string>>): string {
  return Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');
}

export interface LoginPageInput {
  readonly appName: string;
  /** The authorization request's query string, posted back so the flow resumes after logging in. */
  readonly request: string;
  readonly csrf: string;
  readonly email?: string;
  readonly error?: string;
}

export function loginPage(input: LoginPageInput): string {
  return page(
    'Log in',
    `<h1>Log in to continue to ${escapeHtml(input.appName)}</h1>
${input.error === undefined ? '' : `<p class="error" role="alert">${escapeHtml(input.error)}</p>`}
<form method="post" action="/oauth/login">
${hidden({ request: input.request, csrf: input.csrf })}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required maxlength="254" value="${escapeHtml(input.email ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
<button type="submit">Log in</button>
</form>`,
  );
}

export interface ConsentPageInput {
  readonly appName: string;
  readonly userEmail: string;
  readonly scopes: readonly string[];
  readonly request: string;
  readonly csrf: string;
}

export function consentPage(input: ConsentPageInput): string {
  const items = input.scopes
    .map(
      (scope) => `<li><code>${escapeHtml(scope)}</code>: ${escapeHtml(isScope(scope) ? scopeDescriptions[scope] : scope)}</li>`,
    )
    .join('\n');
  return page(
    'Authorize access',
    `<h1>${escapeHtml(input.appName)} wants to access your account</h1>
<p>Logged in as ${escapeHtml(input.userEmail)}. If you allow it, ${escapeHtml(input.appName)} may:</p>
<ul>
${items}
</ul>
<form method="post" action="/oauth/consent">
${hidden({ request: input.request, csrf: input.csrf })}
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`,
  );
}

/** An error page; `code`, when given, is the catalog code, shown so a developer can look it up. */
export function errorPage(title: string, message: string, code?: string): string {
  const reference = code === undefined ? '' : `\n<p>Error code: <code>${escapeHtml(code)}</code></p>`;
  return page(title, `<h1>${escapeHtml(title)}</h1>\n<p class="error">${escapeHtml(message)}</p>${reference}`);
}
