import { readFileSync } from 'node:fs';
import type { Command, Io } from './command.js';
import { catalogCommand } from './commands/catalog-command.js';
import { checkEntry } from './commands/check-entry.js';
import { docsCommand } from './commands/docs-command.js';
import { serveCommand, type LazyCommand } from './commands/serve-command.js';
import { RuntimeError, UsageError } from './usage-error.js';

const commands: readonly (Command | LazyCommand)[] = [checkEntry, serveCommand, docsCommand, catalogCommand];

const mainHelp = `Usage: faultline <command> [options]

One error contract for an HTTP API: a check that holds any running API to it,
the catalog of error codes, its reference docs, and a reference API that
produces each error.

Commands:
${commands.map((command) => `  ${command.name.padEnd(10)} ${command.summary}`).join('\n')}

Options:
  -h, --help     Show this help; "faultline <command> --help" for a command's.
  -v, --version  Print the version of @faultline/cli.

Exit status: 0 on success, 1 when the work fails, 2 for a mistake in the
command line (faultline check: 3 when the API cannot be reached).
`;

/** The version in this package's package.json, which sits beside dist/ in the repository and in the installed package. */
function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

/**
 * Runs `faultline` with the arguments after the program name and resolves to
 * the exit status. Errors are printed as one line on stderr.
 *
 * @example
 * process.exitCode = await runCli(['docs', '--out', 'site/'], { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() });
 */
export async function runCli(args: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = args;
  if (name === '-v' || name === '--version') {
    io.stdout.write(`${version()}\n`);
    return 0;
  }
  if (name === undefined || name === '-h' || name === '--help' || (name === 'help' && rest.length === 0)) {
    (name === undefined ? io.stderr : io.stdout).write(mainHelp);
    return name === undefined ? 2 : 0;
  }
  const wantsHelp = name === 'help' || rest.includes('-h') || rest.includes('--help');
  const commandName = name === 'help' ? (rest[0] as string) : name;
  const entry = commands.find((candidate) => candidate.name === commandName);
  if (entry === undefined) {
    io.stderr.write(
      `faultline: unknown command "${commandName}"; the commands are ${commands.map((c) => c.name).join(', ')} (see faultline --help)\n`,
    );
    return 2;
  }
  try {
    const command = 'load' in entry ? await entry.load() : entry;
    if (wantsHelp) {
      io.stdout.write(command.help);
      return 0;
    }
    return await command.run(name === 'help' ? [] : rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`faultline ${entry.name}: ${error.message} (see faultline ${entry.name} --help)\n`);
      return 2;
    }
    const message = error instanceof RuntimeError || error instanceof Error ? error.message : String(error);
    io.stderr.write(`faultline ${entry.name}: ${message}\n`);
    return 1;
  }
}
