import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Transport } from '../transport.js';

/** A problem with a source the user named (a missing file, another origin): the CLI's usage error. */
export class SourceError extends Error {
  override readonly name = 'SourceError';
}

/** What a source held, or why it could not be read. */
export type SourceResult =
  | { readonly ok: true; readonly value: unknown; readonly from: string }
  | { readonly ok: false; readonly status?: number; readonly message: string; readonly unreachable?: string };

/**
 * Reads a JSON or YAML document from a file or from a URL on the target's
 * origin (through the transport, so the same bounds apply). A URL on any other
 * origin is refused: the check contacts nothing but its target.
 */
export async function readSource(
  source: string,
  transport: Transport,
  maxBytes: number,
  cwd: string,
  headers: readonly (readonly [string, string])[],
): Promise<SourceResult> {
  if (/^https?:\/\//i.test(source)) {
    const url = new URL(source);
    if (url.origin !== transport.origin.origin) {
      throw new SourceError(
        `${source} is on another origin than the target (${transport.origin.origin}); only the target is contacted, so save it to a file and pass the file`,
      );
    }
    const result = await transport.send({
      method: 'GET',
      target: url.pathname + url.search,
      headers: [['Accept', 'application/json, application/yaml;q=0.9, */*;q=0.1'], ...headers],
      document: true,
    });
    if (!result.ok) {
      const unreachable = result.failure.kind === 'unreachable' ? { unreachable: result.failure.message } : {};
      return { ok: false, message: `${source}: ${result.failure.message}`, ...unreachable };
    }
    const { response } = result;
    if (response.status !== 200) return { ok: false, status: response.status, message: `${source} answered ${response.status}` };
    if (response.bodyCut) return { ok: false, message: `${source} is larger than ${maxBytes} bytes` };
    return parseText(response.body.toString('utf8'), source);
  }
  const file = resolve(cwd, source);
  const info = await stat(file).catch(() => undefined);
  if (info === undefined || !info.isFile()) throw new SourceError(`${source}: no such file`);
  if (info.size > maxBytes) throw new SourceError(`${source} is larger than ${maxBytes} bytes`);
  return parseText(await readFile(file, 'utf8'), source);
}

function parseText(text: string, source: string): SourceResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown, from: source };
  } catch {
    try {
      return { ok: true, value: parseYaml(text, { maxAliasCount: 100 }) as unknown, from: source };
    } catch (error) {
      return {
        ok: false,
        message: `${source} is neither JSON nor YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      };
    }
  }
}
