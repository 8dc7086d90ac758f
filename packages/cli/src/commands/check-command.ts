import { parseArgs } from 'node:util';
import { checkApi, defaultLimits, formatJson, formatJunit, formatText, SourceError, type CheckOptions } from '@faultline/check';
import type { Command, Io } from '../command.js';
import { parseOptions } from '../parse-options.js';
import { UsageError } from '../usage-error.js';
import { checkSummary } from './check-entry.js';

const formats = ['text', 'json', 'junit'] as const;

/** `faultline check`: holds a running API to the error contract. */
export const checkCommand: Command = {
  name: 'check',
  summary: checkSummary,
  help: `Usage: faultline check <base-url> [options]

Sends a bounded set of requests to a running HTTP API, in any language, and
checks how it answers when something goes wrong: unknown paths, wrong methods,
unreadable and oversized bodies, missing credentials, invalid fields, one error
shape, no leaks, request ids, the catalog, the document, rate limits,
conditional requests and OAuth 2 token errors. Only the base URL's origin is
contacted; no redirect is followed.

Options:
  --openapi URL|FILE  The OpenAPI 3.0/3.1 document (JSON or YAML). Default:
                      <base-url>/openapi.json, when the API serves it.
  --path PATH         A path to check when there is no document (repeatable).
  --header 'N: V'     Sent with each request, e.g. credentials (repeatable).
                      Values never appear in the output.
  --catalog URL|FILE  A Faultline catalog JSON (such as /docs/errors.json):
                      codes and statuses are checked against it.
  --format F          text (default), json (a versioned schema) or junit.
  --max-requests N    At most N requests in all. Default: ${defaultLimits.maxRequests}.
  --rate N            At most N requests per second. Default: ${defaultLimits.rate}.
  --timeout MS        Per request. Default: ${defaultLimits.timeoutMs}.
  --allow-writes      Allow requests a correct API could act on (creating a
                      resource, a write with a stale If-Match). Off: writes
                      are only probed with bodies a correct API must refuse.
  --flood N           Also check the rate limit: up to N requests, unpaced,
                      expecting a 429 that says when to come back.
  --docs-url URL      Where the check reference is served; results link to
                      URL#check-id.
  -h, --help          Show this help.

Exit status: 0 when every check passes (warnings and skips included), 1 when
a check fails, 2 for a mistake in the command line, 3 when the API could not
be reached.

Example:
  faultline check http://127.0.0.1:3000 --header "Authorization: Bearer $API_KEY" \\
    --catalog http://127.0.0.1:3000/docs/errors.json
`,
  async run(args, io) {
    const { values, positionals } = parseOptions(() =>
      parseArgs({
        args: [...args],
        options: {
          openapi: { type: 'string' },
          path: { type: 'string', multiple: true },
          header: { type: 'string', multiple: true },
          catalog: { type: 'string' },
          format: { type: 'string' },
          'max-requests': { type: 'string' },
          rate: { type: 'string' },
          timeout: { type: 'string' },
          'allow-writes': { type: 'boolean' },
          flood: { type: 'string' },
          'docs-url': { type: 'string' },
        },
        strict: true,
        allowPositionals: true,
      }),
    );
    if (positionals.length === 0) throw new UsageError('the base URL is required, e.g. faultline check http://127.0.0.1:3000');
    if (positionals.length > 1) throw new UsageError(`one base URL only; also got ${positionals.slice(1).join(' ')}`);
    const format = values.format ?? 'text';
    if (!(formats as readonly string[]).includes(format))
      throw new UsageError(`--format must be one of ${formats.join(', ')}; not "${format}"`);
    const options: CheckOptions = {
      baseUrl: positionals[0] as string,
      cwd: io.cwd,
      ...(values.openapi === undefined ? {} : { openapi: values.openapi }),
      ...(values.path === undefined ? {} : { paths: values.path }),
      headers: (values.header ?? []).map(parseHeader),
      ...(values.catalog === undefined ? {} : { catalog: values.catalog }),
      ...count('max-requests', values['max-requests'], 'maxRequests'),
      ...count('rate', values.rate, 'rate'),
      ...count('timeout', values.timeout, 'timeoutMs'),
      ...count('flood', values.flood, 'flood'),
      ...(values['allow-writes'] === true ? { allowWrites: true } : {}),
      ...(values['docs-url'] === undefined ? {} : { docsUrl: values['docs-url'] }),
      ...progress(io),
    };
    let report;
    try {
      report = await checkApi(options);
    } catch (error) {
      if (error instanceof SourceError || error instanceof RangeError) throw new UsageError(error.message);
      throw error;
    } finally {
      clearProgress(io);
    }
    io.stdout.write(format === 'json' ? formatJson(report) : format === 'junit' ? formatJunit(report) : formatText(report));
    if (report.unreachable !== undefined) return 3;
    return report.ok ? 0 : 1;
  },
};

/** `Name: value` into a pair; the value is never echoed, even in the error. */
function parseHeader(raw: string): [string, string] {
  const colon = raw.indexOf(':');
  const name = colon === -1 ? '' : raw.slice(0, colon).trim();
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
    throw new UsageError('--header must be "Name: value", e.g. --header "Authorization: Bearer <key>"');
  const value = raw.slice(colon + 1).trim();
  if (/[\r\n\0]/.test(value)) throw new UsageError(`--header ${name}: the value must be one line`);
  return [name, value];
}

function count<K extends string>(option: string, raw: string | undefined, key: K): Partial<Record<K, number>> {
  if (raw === undefined) return {};
  if (!/^\d{1,7}$/.test(raw) || Number(raw) === 0)
    throw new UsageError(`--${option} must be a positive whole number, not "${raw}"`);
  return { [key]: Number(raw) } as Partial<Record<K, number>>;
}

/** The progress line, on a terminal only: a pipe or a CI log gets the report and nothing else. */
function progress(io: Io): Pick<CheckOptions, 'onProgress'> {
  if (!isTerminal(io)) return {};
  return { onProgress: ({ check, requests }) => io.stderr.write(`\r\u001b[Kfaultline check: ${check} (${requests} requests)`) };
}

function clearProgress(io: Io): void {
  if (isTerminal(io)) io.stderr.write('\r\u001b[K');
}

function isTerminal(io: Io): boolean {
  return (io.stderr as { isTTY?: boolean }).isTTY === true;
}
