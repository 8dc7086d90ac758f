import { createHash } from 'node:crypto';

/** The CSP source expression for an inline script or style: `'sha256-…'` of its exact text. */
export function sha256Source(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * A Content-Security-Policy that lets the page run exactly its inline script
 * and style, by hash, and nothing else: no other script, style, image, font,
 * frame, form target or base URL, and no framing by other sites.
 */
export function contentSecurityPolicy(script: string, style: string): string {
  return [
    "default-src 'none'",
    `script-src ${sha256Source(script)}`,
    `style-src ${sha256Source(style)}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
