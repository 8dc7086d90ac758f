/**
 * The redirect back to the client (RFC 6749 §4.1.2 and §4.1.2.1). The
 * registered URI is kept exactly as registered, its own query included
 * (§3.1.2: "MUST retain the query component"), and the response parameters are
 * appended, each percent-encoded, so a `state` with `&`, `=`, `+`, `%` or any
 * Unicode comes back byte for byte. `iss` (RFC 9207) tells the client which
 * authorization server answered, against mix-up attacks.
 */
export function redirectTo(redirectUri: string, parameters: Readonly<Record<string, string | undefined>>): string {
  const pairs = Object.entries(parameters)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  if (pairs.length === 0) return redirectUri;
  const separator = !redirectUri.includes('?') ? '?' : redirectUri.endsWith('?') || redirectUri.endsWith('&') ? '' : '&';
  return `${redirectUri}${separator}${pairs.join('&')}`;
}

/**
 * Whether a URI may be registered as a redirect URI: absolute, https (or http
 * to this machine only, for native apps and development, RFC 8252 §7.3), no
 * fragment (RFC 6749 §3.1.2), no user info. The reason it may not, or undefined.
 */
export function redirectUriProblem(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'is not an absolute URI';
  }
  if (uri.includes('#')) return 'has a fragment, which a redirect URI may not have';
  // Compared as exact strings and sent back in Location: only the canonical, printable ASCII form will do.
  if (!/^[\x21-\x7e]+$/.test(uri)) return 'has spaces, control or non-ASCII characters; percent-encode them';
  if (url.href !== uri) return `is not in its canonical form; register it as ${url.href}`;
  if (url.username !== '' || url.password !== '') return 'has user information, which a redirect URI may not have';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) return undefined;
  return 'must use https (http is allowed only for localhost, 127.0.0.1 and [::1])';
}
