// `npm run example -- <framework>`: builds the packages, then starts examples/<framework>/server.js in this
// process's place (its output, its exit code, and Ctrl-C reach it directly).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const examples = fileURLToPath(new URL('.', import.meta.url));
const root = join(examples, '..');
const choices = readdirSync(examples, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(examples, entry.name, 'server.js')))
  .map((entry) => entry.name)
  .sort();
const name = process.argv[2];

if (name === undefined || !choices.includes(name)) {
  const said = name === undefined ? 'Name the example to start.' : `There is no example "${name}".`;
  console.error(`${said} Choose one of: ${choices.join(', ')}.\n  npm run example -- ${choices[0] ?? '<name>'}`);
  process.exit(2);
}

// Quietly: the compiler says something only when the build fails.
const build = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('The packages did not build (the errors are above), so the example was not started.');
  process.exit(build.status ?? 1);
}

const server = spawn(process.execPath, [join(examples, name, 'server.js')], { cwd: root, stdio: 'inherit' });
// Ctrl-C reaches the server from the terminal too; a signal sent to this runner alone is passed on.
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)));
