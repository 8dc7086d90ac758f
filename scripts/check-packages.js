#!/usr/bin/env node
// npm run check:packages: each public package as npm would publish it, checked the way its users will meet it.
// publint: the package.json fields, exports and files agree with what is packed; attw (Are the Types Wrong?): the
// types resolve under NodeNext and bundler resolution (the "esm-only" profile, since the packages are ESM-only);
// knip (last, over the whole repository): no unused file, export or dependency; and the lock file's Node.js engines
// (check-engines.js). Run after the build.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { engineProblems } from './check-engines.js';
import { publicPackages } from './public-packages.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => join(root, 'node_modules', '.bin', name);

/** Runs a command to its end; resolves with its exit status and what it printed. */
function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (status) => resolve({ status, output }));
  });
}

/** Both checks of one package; what failed, printed with the tools' own explanation. */
async function checkPackage({ name, directory }) {
  const failed = [];
  const { messages, pkg } = await publint({ pkgDir: directory, strict: true, pack: 'npm' });
  for (const message of messages) console.error(`publint ${name}: ${formatMessage(message, pkg) ?? message.code}`);
  if (messages.length > 0) failed.push(`publint ${name}`);
  const attw = await run(bin('attw'), ['--pack', directory, '--profile', 'esm-only', '--format', 'table-flipped']);
  if (attw.status !== 0) {
    console.error(attw.output);
    failed.push(`attw ${name}`);
  }
  console.log(`${name}: publint ${messages.length === 0 ? 'ok' : 'FAILED'}, attw ${attw.status === 0 ? 'ok' : 'FAILED'}`);
  return failed;
}

// Two packages at a time: each check is mostly npm pack and process start-up.
const queue = [...publicPackages(root)];
const failed = [];
await Promise.all(
  [1, 2].map(async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) failed.push(...(await checkPackage(next)));
  }),
);

const engines = engineProblems(root, publicPackages(root), process.version);
for (const problem of engines) console.error(`engines: ${problem}`);
if (engines.length > 0) failed.push('engines');
else console.log(`engines: every locked package accepts Node ${process.version} and each public package's own range`);

const knip = await run(bin('knip'), ['--no-progress']);
if (knip.status !== 0) {
  console.error(knip.output);
  failed.push('knip');
} else console.log('knip: no unused files, exports or dependencies');

if (failed.length > 0) {
  console.error(`check:packages failed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
