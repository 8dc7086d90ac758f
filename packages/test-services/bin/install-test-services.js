#!/usr/bin/env node
/**
 * `npm test` runs this first (the root `pretest` script). The tests start their
 * own PostgreSQL, redis-server and Chromium from Debian's packages, and run the
 * README's commands with curl; this makes sure those are installed, so
 * `npm test` passes on a fresh Debian machine with Node 20 and nothing else. As root on Debian it installs what is missing with
 * apt-get, saying so in one line; otherwise it names the command to run, in
 * one line, and fails before any test does.
 *
 * Plain JavaScript on purpose: it runs before the build.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** What the tests run, the Debian package that brings it, and how to see it is there. */
const needed = [
  { what: 'PostgreSQL (initdb, postgres)', debian: 'postgresql', present: postgresInstalled },
  { what: 'redis-server', debian: 'redis-server', present: () => onPath('redis-server') },
  // playwright-core never downloads a browser: the browser tests drive this one.
  { what: 'Chromium', debian: 'chromium', present: () => existsSync('/usr/bin/chromium') },
  // The README test runs the README's commands, which use curl.
  { what: 'curl', debian: 'curl', present: () => onPath('curl') },
];

function onPath(command) {
  return (process.env.PATH ?? '').split(delimiter).some((directory) => directory !== '' && existsSync(join(directory, command)));
}

function postgresInstalled() {
  if (process.env.PG_BIN) return existsSync(join(process.env.PG_BIN, 'initdb'));
  const root = '/usr/lib/postgresql';
  return existsSync(root) && readdirSync(root).some((version) => existsSync(join(root, version, 'bin', 'initdb')));
}

const missing = needed.filter((service) => !service.present());
if (missing.length > 0) {
  const packages = missing.map((service) => service.debian);
  const whats = missing.map((service) => service.what);
  const names = whats.length === 1 ? whats[0] : `${whats.slice(0, -1).join(', ')} and ${whats.at(-1)}`;
  const isRoot = process.getuid?.() === 0;
  if (isRoot && onPath('apt-get')) {
    const noun = packages.length === 1 ? 'package' : 'packages';
    console.log(`The tests need ${names}: installing the Debian ${noun} ${packages.join(' ')} with apt-get.`);
    const quiet = { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
    try {
      execFileSync('apt-get', ['update', '-qq'], quiet);
      execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], quiet);
    } catch {
      console.error(`apt-get could not install ${packages.join(' ')} (see above); install them, then run npm test again.`);
      process.exit(1);
    }
  } else {
    const command = `${isRoot ? '' : 'sudo '}apt-get install -y ${packages.join(' ')}`;
    console.error(`The tests need ${names}, which are not installed: run "${command}" (Debian), then npm test again.`);
    process.exit(1);
  }
}
