import type { CheckReport } from './check-report.js';

const placeholder = '[redacted]';
/** Header names whose values are secrets whoever set them. */
const secretHeaders = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'api-key']);

/**
 * Keeps credentials out of every output: the values of the headers given
 * with --header (and any Authorization or Cookie) are replaced wherever they
 * appear in the report, in headers, bodies and messages alike, so an API
 * that echoes a token back cannot make the report print it.
 */
export class Redactor {
  private readonly secrets: string[];
  private readonly names: Set<string>;

  constructor(credentials: readonly (readonly [string, string])[]) {
    const secrets = new Set<string>();
    for (const [, value] of credentials) {
      const trimmed = value.trim();
      if (trimmed.length >= 4) secrets.add(trimmed);
      // The token after the scheme ("Bearer abc", "Basic abc") is the secret part, and may appear alone.
      const token = /^\S+\s+(\S{4,})$/.exec(trimmed)?.[1];
      if (token !== undefined) secrets.add(token);
      if (token !== undefined && /^basic$/i.test(trimmed.split(/\s+/)[0] ?? '')) {
        const decoded = Buffer.from(token, 'base64').toString('utf8');
        for (const part of decoded.split(':')) if (part.length >= 4) secrets.add(part);
      }
    }
    // Longest first, so a value is replaced whole before any part of it.
    this.secrets = [...secrets].sort((a, b) => b.length - a.length);
    this.names = new Set([...secretHeaders, ...credentials.map(([name]) => name.toLowerCase())]);
  }

  /** The report with every secret replaced. */
  report(report: CheckReport): CheckReport {
    return this.walk(report) as CheckReport;
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) {
      // A header pair: [name, value].
      if (
        value.length === 2 &&
        typeof value[0] === 'string' &&
        typeof value[1] === 'string' &&
        this.names.has(value[0].toLowerCase())
      ) {
        return [value[0], this.isOurProbe(value[1]) ? value[1] : placeholder];
      }
      return value.map((item) => this.walk(item));
    }
    if (typeof value === 'object' && value !== null) {
      const copy: Record<string, unknown> = {};
      for (const [key, member] of Object.entries(value)) copy[key] = this.walk(member);
      return copy;
    }
    return value;
  }

  private text(value: string): string {
    let text = value;
    for (const secret of this.secrets) if (text.includes(secret)) text = text.split(secret).join(placeholder);
    return text;
  }

  /** The deliberately wrong credentials the authentication checks send are not secrets, and show what was sent. */
  private isOurProbe(value: string): boolean {
    return value.includes('faultline-check-wrong');
  }
}
