/**
 * The README's commands run as written. Every `sh` and `console` block of the
 * README runs in order in one bash, as a person pastes them after the quick
 * start, against throwaway servers on free ports and a temporary SQLite file;
 * each transcript must match what its command prints now (request ids, times,
 * keys and the seconds of Retry-After and RateLimit aside).
 *
 * `npm run readme:record` runs the same commands and writes their output into
 * the README instead (after a change to the wire format, say).
 *
 * What a person does that bash cannot: the quick start's `npm ci && npm start`
 * (see `notRunSections`), and the OAuth2 walkthrough's browser step, which this test
 * does over HTTP as the browser would (the login form, then Allow) and whose
 * code it types at the block's `read` prompt.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForPort } from '@faultline/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandsOf, normalise, recorded, runCommands, shellBlocks, shownOutput, type Command } from './readme-tour.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const readmePath = join(root, 'README.md');
const recording = process.env['FAULTLINE_README_RECORD'] === '1';

/** The README's sections (`## ` headings) whose shell blocks this test runs, in order. */
const runSections = ['A tour of the contract', 'OAuth2', 'Checking any API: `faultline check`'];

/**
 * Sections whose shell blocks it does not run, and why; each is checked another way. A shell block in a
 * section named in neither list fails the first test, so a new one is run here or named here on purpose.
 */
const notRunSections = new Map([
  [
    'Quick start',
    '`npm ci` installs (CI runs it, and this suite runs from it) and `npm start` serves in the foreground: the test ' +
      'starts the server `npm start` starts (its script is checked below), and .ci/run runs the test line',
  ],
  [
    'Install',
    'packing and installing take minutes and write outside the clone: test/install-packages.test.ts packs every public ' +
      'package and installs the tarballs into new projects as these lines do, then runs the README examples there',
  ],
  ['The `faultline` command', "`faultline serve` serves in the foreground; the CLI's own tests run each of these commands"],
  [
    'Examples',
    '`npm run example` serves in the foreground until Ctrl-C: test/conformance/run-example.test.ts runs this very block ' +
      '(marked run-example), sends the example a request and stops it, and test/conformance/examples.test.ts holds every example to its spec',
  ],
]);

/** The README's ports: 3000 is `npm start`'s, 3001 to 3003 are the tour's other formats, 3004 and 3005 the bare apps `faultline check` is shown on. */
const readmePorts = [3000, 3001, 3002, 3003, 3004, 3005];

const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const main = 'apps/reference-api/dist/main.js';
const fixturesCommand = 'apps/reference-api/dist/fixtures-command.js';

let scratch: string;
let ports: number[];
let quickStart: ChildProcess;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'faultline-readme-'));
  ports = await Promise.all(readmePorts.map(() => freePort()));
  // Only what a fresh terminal has: no format, port or limit inherited from the test run.
  env = { PATH: process.env['PATH'], HOME: process.env['HOME'], DATABASE_URL: `sqlite:${join(scratch, 'faultline.db')}` };
  // The quick start's `npm start`, which is the build and then this file.
  quickStart = spawn('node', [main], { cwd: root, env: { ...env, PORT: String(ports[0]) }, stdio: 'ignore' });
  await waitForPort(ports[0]!, 50_000, 'The quick start server');
});

afterAll(async () => {
  if (quickStart.exitCode === null && quickStart.signalCode === null) {
    quickStart.kill('SIGTERM');
    await once(quickStart, 'exit');
  }
  rmSync(scratch, { recursive: true, force: true });
});

/** The README's ports in a command become the free ones, and `npm run --silent fixtures` skips the build the suite did. */
function rewrite(command: string): string {
  return command
    .replace(/\b300([0-5])\b/g, (_match, digit: string) => String(ports[Number(digit)]))
    .replaceAll('npm run --silent fixtures', `node ${fixturesCommand}`);
}

/**
 * The free ports in an output become the README's again (in `iss`, say); only after a host, never inside an id.
 * The clone's own directory, which a stack trace shows, becomes `<clone>/`.
 */
function portsBack(output: string): string {
  return ports.reduce(
    (text, port, index) =>
      text.replace(new RegExp(`(localhost|127\\.0\\.0\\.1)(:|%3A)${port}\\b`, 'g'), `$1$2${readmePorts[index]}`),
    output.replaceAll(root, '<clone>/'),
  );
}

let answeredBrowser = false;

/** The browser step of the OAuth2 walkthrough: log in as the member the script names, allow, and type the code. */
async function browser(printed: string): Promise<string | undefined> {
  const match = /^Log in as (\S+), password (\S+), at:\n(http:\/\/\S+)\n/m.exec(printed);
  if (match === null || answeredBrowser) return undefined;
  answeredBrowser = true;
  const [, email, password, url] = match as unknown as [string, string, string, string];
  const origin = new URL(url).origin;
  const hidden = (html: string) =>
    Object.fromEntries(
      [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((field) => [
        field[1],
        (field[2] ?? '')
          .replace(/&#(\d+);/g, (_entity, code: string) => String.fromCharCode(Number(code)))
          .replace(/&quot;/g, '"')
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&amp;/g, '&'),
      ]),
    );
  const cookies = new Map<string, string>();
  const send = async (target: string, form?: Record<string, string>) => {
    const response = await fetch(new URL(target, origin), {
      method: form === undefined ? 'GET' : 'POST',
      redirect: 'manual',
      headers: {
        cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
      },
      ...(form === undefined ? {} : { body: new URLSearchParams(form).toString() }),
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      cookies.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    return { status: response.status, location: response.headers.get('location'), html: await response.text() };
  };
  const login = await send(url);
  const loggedIn = await send('/oauth/login', { ...hidden(login.html), email, password });
  if (loggedIn.status !== 303) throw new Error(`the login answered ${loggedIn.status}: ${loggedIn.html.slice(0, 300)}`);
  const consent = await send(loggedIn.location ?? url);
  const allowed = await send('/oauth/consent', { ...hidden(consent.html), decision: 'allow' });
  const code = new URL(allowed.location ?? 'x:').searchParams.get('code');
  if (code === null) throw new Error(`the consent answered ${allowed.status} to ${allowed.location ?? 'nowhere'}`);
  return `${code}\n`;
}
describe('the README', () => {
  const readme = readFileSync(readmePath, 'utf8');
  const blocks = shellBlocks(readme);

  it('runs the shell blocks of the sections it names, and says why it leaves out the others', () => {
    const sections = [...new Set(blocks.map((block) => block.section))];
    for (const section of sections) {
      const known = runSections.includes(section) || notRunSections.has(section);
      expect(
        known,
        `The README section "${section}" has shell blocks: run them here (runSections) or say why not (notRunSections).`,
      ).toBe(true);
    }
    for (const section of [...runSections, ...notRunSections.keys()]) expect(sections).toContain(section);
    // A transcript in a block of another language would never be run or checked.
    const unchecked = [...readme.matchAll(/^```(\w*)\n\$ .*$/gm)]
      .filter((match) => match[1] !== 'console')
      .map((match) => match[0]);
    expect(unchecked, 'Write transcripts ("$ command" and its output) in console blocks.').toEqual([]);
    // The test runs what these scripts run, without their build: the suite built first.
    expect(packageJson.scripts['start']).toBe(`npm run build --silent && node ${main}`);
    expect(packageJson.scripts['fixtures']).toBe(`npm run build --silent && node ${fixturesCommand}`);
    // CI runs the quick start's test line, as written.
    const quickStart = blocks.filter((block) => block.section === 'Quick start').map((block) => block.text.trim());
    expect(quickStart).toEqual(['npm ci && npm start\nnpm test']);
    expect(readFileSync(join(root, '.ci/run'), 'utf8')).toMatch(/^npm test$/m);
  });

  it('shows for each command of the tour and the OAuth2 section what it prints', { timeout: 240_000 }, async () => {
    const commands: Command[] = blocks.filter((block) => runSections.includes(block.section)).flatMap(commandsOf);
    expect(commands.filter((command) => command.shown !== undefined).length).toBeGreaterThan(20);
    const ran = await runCommands(commands, {
      cwd: root,
      env,
      scratch,
      rewrite,
      answer: browser,
      timeoutMs: 200_000,
    });
    const outputs = ran.outputs.map(portsBack);
    const context = `bash exited with ${String(ran.exitCode)}; its stderr:\n${ran.stderr}`;
    expect(
      outputs.filter((output) => output === '(did not run)'),
      context,
    ).toEqual([]);
    if (recording) {
      writeFileSync(readmePath, recorded(readme, commands, outputs));
      return;
    }
    const shown = commands.flatMap((command, index) =>
      command.shown === undefined ? [] : [{ command: command.command, output: normalise(shownOutput(outputs[index] ?? '')) }],
    );
    const expected = commands.flatMap((command) =>
      command.shown === undefined ? [] : [{ command: command.command, output: normalise(command.shown) }],
    );
    expect(shown, `${context}\nRun "npm run readme:record" to write the new output into the README.`).toEqual(expected);
  });
});
