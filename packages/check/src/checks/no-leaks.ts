import type { CheckDefinition, Finding } from '../check-definition.js';
import { header, type Exchange } from '../exchange.js';
import { line } from './support.js';

/** What gives a server's insides away, each with a name for the report. */
const bodyLeaks: readonly { readonly name: string; readonly pattern: RegExp }[] = [
  // Raw, JSON-escaped, or HTML-escaped as an error page prints it: "at parse (/srv/app/x.js:93:21)".
  {
    name: 'a JavaScript stack frame',
    pattern:
      /\bat (?:async )?[\w$.<>[\] ]{1,200} \((?:\/|[A-Za-z]:\\|node:|file:)[^)\n]{0,300}:\d+:\d+\)|(?:\n|\\n|<br>)(?:\s|&nbsp;){0,40}at [^\n"<]{1,300}:\d+:\d+/,
  },
  { name: 'a Python traceback', pattern: /Traceback \(most recent call last\)|File "[^"\n]{1,300}", line \d+/ },
  {
    name: 'a Java or .NET stack frame',
    pattern: /\bat [\w$.<>]{1,300}\(\w{1,100}\.(?:java|kt|scala|groovy):\d+\)| in [^\n]{1,300}\.cs:line \d+/,
  },
  { name: 'a Go or Ruby stack frame', pattern: /goroutine \d+ \[|\.go:\d+ \+0x[0-9a-f]+|\.rb:\d+:in `/ },
  { name: 'a source file path', pattern: /\/[\w@-]+\/[\w.@-]+\.(?:js|mjs|cjs|ts|py|rb|go|java|php|cs):\d+/ },
  {
    name: 'a file path',
    pattern:
      /(?:^|[\s"'(=])(?:\/(?:home|usr|var|opt|srv|app|root|Users|tmp)\/[\w.@-]+\/[\w./@-]+|[A-Z]:\\\\?(?:Users|Windows|inetpub|Program Files)[\\\w. -]+)/,
  },
  { name: 'an SQL statement', pattern: /\b(?:SELECT\s+[\w*"`,. ]+\s+FROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b/i },
  {
    name: 'a database driver message',
    pattern:
      /SQLITE_[A-Z]+|SQLSTATE\[|ER_[A-Z_]{4,}|duplicate key value violates|relation "[^"]+" does not exist|syntax error at or near|ECONNREFUSED|MongoServerError|ORA-\d{5}|PG::\w+Error/,
  },
  {
    name: 'a framework banner',
    pattern:
      /Whitelabel Error Page|<address>Apache\/[\d.]+|nginx\/\d+\.\d+|Werkzeug Debugger|DEBUG = True|Express<\/|Microsoft-IIS\/\d|X-Powered-By/i,
  },
];

const maxScanned = 16 * 1024;

/** Check 8: no stack, path, SQL, driver message or framework banner in any error body or header. */
export const noLeaks: CheckDefinition = {
  id: 'no-leaks',
  number: 8,
  title: 'No leaks: stacks, paths, SQL, versions',
  severity: 'error',
  phase: 'review',
  sends: 'Nothing of its own: it reads every answer the other checks received.',
  expects:
    'No stack frame, file path, SQL, database driver message or framework banner in an error body; no X-Powered-By header, and no version number in Server.',
  why: 'Stack traces, file paths, SQL and driver messages map your code and schema for an attacker and often carry data; a version in Server or X-Powered-By tells them which known vulnerabilities to try. None of it helps the client, who needs a code and a sentence.',
  remedy:
    'Log the internals with the request id and send the client only your error envelope: an internal error is a 500 with a generic detail and the request id. Remove X-Powered-By (Express: app.disable("x-powered-by")) and any version from Server.',
  async run(context) {
    const findings: Finding[] = [];
    const seen = new Set<string>();
    const answered = context.exchanges.filter(
      (exchange): exchange is Exchange & { response: NonNullable<Exchange['response']> } => exchange.response !== undefined,
    );
    for (const exchange of answered) {
      const { response } = exchange;
      const report = (key: string, finding: Finding) => {
        if (seen.has(key)) return;
        seen.add(key);
        findings.push(finding);
      };
      const powered = header(response, 'x-powered-by');
      if (powered !== undefined)
        report(`x-powered-by`, {
          message: `${line(exchange)}: X-Powered-By names the framework`,
          exchange,
          evidence: `X-Powered-By: ${powered}`,
        });
      const server = header(response, 'server');
      if (server !== undefined && /\d+\.\d+/.test(server))
        report('server', { message: `${line(exchange)}: Server carries a version`, exchange, evidence: `Server: ${server}` });
      if (response.status < 400) continue;
      // Internals show early in a body; a bound on what is scanned keeps a hostile body from making the patterns crawl.
      const scanned = response.body.slice(0, maxScanned);
      for (const leak of bodyLeaks) {
        const match = leak.pattern.exec(scanned);
        if (match === null) continue;
        report(`${leak.name} ${exchange.checkId}`, {
          message: `${line(exchange)}: the error body shows ${leak.name}`,
          exchange,
          evidence: excerpt(match[0]),
        });
      }
    }
    return { findings, covered: `${answered.length} answers` };
  },
};

/** What matched, on one line and cut short: the leak itself, not the text around it. */
function excerpt(matched: string): string {
  const text = matched.replace(/\s+/g, ' ').trim();
  return text.length <= 160 ? text : `${text.slice(0, 160)}…`;
}
