/**
 * The README's example of reading a GitHub and a Google error, run as written
 * against a real server that answers as each API documents (the recorded
 * answers of recorded-answers.ts), and the lines it prints compared with the
 * output the README shows under it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as clientPackage from '@faultline/client';
import { readmeExample } from '../../../test/readme-examples.js';
import { FaultServer, reply } from './fault-server.js';
import { recordedAnswers, type RecordedAnswer } from './recorded-answers.js';

const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');

function answer(title: string): RecordedAnswer {
  const found = recordedAnswers.find((recorded) => recorded.title.startsWith(title));
  if (found === undefined) throw new Error(`No recorded answer "${title}".`);
  return found;
}

/** The text block after `<!-- output: name -->`, without the indentation of its list item. */
function shownOutput(name: string): string[] {
  const lines = readme.split('\n');
  const marker = lines.findIndex((line) => line.trim() === `<!-- output: ${name} -->`);
  const open = lines.findIndex((line, index) => index > marker && /^\s*```text$/.test(line));
  const close = lines.findIndex((line, index) => index > open && line.trim() === '```');
  if (marker === -1 || open === -1 || close === -1) throw new Error(`The README shows no output for "${name}".`);
  const indent = /^\s*/.exec(lines[open] as string)?.[0] ?? '';
  return lines.slice(open + 1, close).map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line));
}

let server: FaultServer;

beforeAll(async () => {
  const github = answer('GitHub validation failed');
  const google = answer('Google quota exceeded');
  server = await FaultServer.start((request) => {
    const recorded = request.path.startsWith('/repos/') ? github : google;
    return reply.respond(recorded.status, recorded.body, { 'content-type': 'application/json', ...recorded.headers });
  });
});

afterAll(async () => {
  await server.close();
});

it('prints what the README shows', async () => {
  const example = readmeExample(readme, 'client-envelopes');
  const body = example.replace(/^import .*$/m, '');
  const printed: string[] = [];
  const run = new Function(
    'createClient',
    'RateLimitedError',
    'ValidationError',
    'process',
    'console',
    `return (async () => {${body}})();`,
  ) as (...args: unknown[]) => Promise<void>;
  await run(
    clientPackage.createClient,
    clientPackage.RateLimitedError,
    clientPackage.ValidationError,
    { env: { GITHUB_API: server.url, GOOGLE_API: server.url } },
    { log: (...values: unknown[]) => printed.push(values.map(String).join(' ')) },
  );
  expect(printed).toEqual(shownOutput('client-envelopes'));
  // The example imports exactly what it is given here.
  expect(example).toMatch(/^import \{ createClient, RateLimitedError, ValidationError \} from '@faultline\/client';$/m);
  expect(server.requests.map((request) => request.method)).toEqual(['POST', 'GET']);
});
