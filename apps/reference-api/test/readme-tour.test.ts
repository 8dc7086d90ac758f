/**
 * The pieces of the README test that decide what is compared: how blocks and
 * commands are read, which headers a transcript shows, and what is normalised.
 */
import { describe, expect, it } from 'vitest';
import { commandsOf, normalise, recorded, shellBlocks, shownOutput } from './readme-tour.js';

const markdown = [
  'Intro.',
  '',
  '```sh',
  'KEY=$(fixture apiKey)',
  '```',
  '',
  '```ts',
  'const ignored = true;',
  '```',
  '',
  '```console',
  '$ curl -i localhost:3000/a \\',
  '  -H "x: y"',
  'HTTP/1.1 404 Not Found',
  '',
  '{"code":"not_found"}',
  '',
  '$ TOKEN=$(curl -s localhost:3000/b)',
  '',
  '$ curl -s localhost:3000/c',
  'plain',
  '```',
  '',
].join('\n');

describe('reading the README', () => {
  it('finds the sh and console blocks, in order, and nothing else', () => {
    expect(shellBlocks(markdown).map((block) => block.language)).toEqual(['sh', 'console']);
  });

  it('reads a sh block as one command, and a console block as commands each with the output below it', () => {
    const [sh, console] = shellBlocks(markdown);
    expect(commandsOf(sh!)).toEqual([{ block: sh, command: 'KEY=$(fixture apiKey)', shown: undefined }]);
    expect(commandsOf(console!).map(({ command, shown }) => ({ command, shown }))).toEqual([
      { command: 'curl -i localhost:3000/a \\\n  -H "x: y"', shown: 'HTTP/1.1 404 Not Found\n\n{"code":"not_found"}' },
      { command: 'TOKEN=$(curl -s localhost:3000/b)', shown: '' },
      { command: 'curl -s localhost:3000/c', shown: 'plain' },
    ]);
  });

  it('writes a run back into the console blocks only, leaving the rest as it was', () => {
    const commands = shellBlocks(markdown).flatMap(commandsOf);
    const written = recorded(markdown, commands, ['', 'HTTP/1.1 410 Gone\r\ndate: x\r\n\r\n{}', '', 'other']);
    expect(written).toContain('```sh\nKEY=$(fixture apiKey)\n```');
    expect(written).toContain('$ curl -i localhost:3000/a \\\n  -H "x: y"\nHTTP/1.1 410 Gone\n\n{}\n\n$ TOKEN=');
    expect(written).toContain('$ curl -s localhost:3000/c\nother\n```');
    expect(
      shellBlocks(written)
        .flatMap(commandsOf)
        .map((command) => command.shown),
    ).toEqual([undefined, 'HTTP/1.1 410 Gone\n\n{}', '', 'other']);
  });
});

describe('what a transcript shows', () => {
  const answer = (status: string) =>
    [
      `HTTP/1.1 ${status}`,
      'ratelimit-policy: "burst";q=3;w=60',
      'ratelimit: "burst";r=0;t=60',
      'content-type: application/json; charset=utf-8',
      'date: Sun, 29 Nov 2026 21:00:00 GMT',
      'connection: keep-alive',
      'keep-alive: timeout=72',
      'content-length: 2',
      '',
      '{}',
    ].join('\r\n');

  it('leaves out the date and connection headers, and the RateLimit fields except on a 429', () => {
    expect(shownOutput(answer('200 OK'))).toBe('HTTP/1.1 200 OK\ncontent-type: application/json; charset=utf-8\n\n{}');
    expect(shownOutput(answer('429 Too Many Requests'))).toBe(
      [
        'HTTP/1.1 429 Too Many Requests',
        'ratelimit-policy: "burst";q=3;w=60',
        'ratelimit: "burst";r=0;t=60',
        'content-type: application/json; charset=utf-8',
        '',
        '{}',
      ].join('\n'),
    );
  });

  it('keeps an output that is not an HTTP answer as it is', () => {
    expect(shownOutput('200\r\n200\r\n429\r\n')).toBe('200\n200\n429');
  });

  it('normalises what changes between runs, and nothing else', () => {
    const output =
      'retry-after: 95604\nratelimit: "burst";r=2;t=20\n' +
      '{"request_id":"0cd15110-69c9-4670-aaf2-c30d2475086a","time":"2026-11-29T21:27:40.341Z","key":"flk_RLCCdHiSrcQr2dzJ_UazNhoW",' +
      '"detail":"1 left for 2026-11","id":3,"etag":"c3-v1"}';
    expect(normalise(output)).toBe(
      'retry-after: <seconds>\nratelimit: "burst";r=2;t=<seconds>\n' +
        '{"request_id":"<uuid>","time":"<time>","key":"flk_<secret>","detail":"1 left for <month>","id":3,"etag":"c3-v1"}',
    );
  });
});
