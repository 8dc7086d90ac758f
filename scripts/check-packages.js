#!/usr/bin/env node
// npm run check:packages: each public package as npm would publish it, checked the way its users will meet it.
// publint: the package.json fields, exports and files agree with what is packed; attw (Are the Types Wrong?): the
// types resolve under NodeNext and bundler resolution (the "esm-only" profile, since the packages are ESM-only);
// knip (last, over the whole repository): no unused file, export or dependency. Run after the build.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { publicPackages } from './public-packages.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => join(root, 'node_modules', '.bin', name);
const failed = [];

for (const { name, directory } of publicPackages(root)) {
  const { messages, pkg } = await publint({ pkgDir: directory, strict: true, pack: 'npm' });
  for (const message of messages) console.error(`publint ${name}: ${formatMessage(message, pkg) ?? message.code}`);
  if (messages.length > 0) failed.push(`publint ${name}`);

  const attw = spawnSync(bin('attw'), ['--pack', directory, '--profile', 'esm-only', '--format', 'table-flipped'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (attw.status !== 0) {
    process.stdout.write(attw.stdout);
    failed.push(`attw ${name}`);
  }
  console.log(`${name}: publint ${messages.length === 0 ? 'ok' : 'FAILED'}, attw ${attw.status === 0 ? 'ok' : 'FAILED'}`);
}

const knip = spawnSync(bin('knip'), ['--no-progress'], { stdio: 'inherit', cwd: root });
if (knip.status !== 0) failed.push('knip');
else console.log('knip: no unused files, exports or dependencies');

if (failed.length > 0) {
  console.error(`check:packages failed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
