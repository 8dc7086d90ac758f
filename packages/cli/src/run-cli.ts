import type { Command, Io } from './command.js';
import { catalogCommand } from './commands/catalog-command.js';
import { docsCommand } from './commands/docs-command.js';
import { serveCommand } from './commands/serve-command.js';
import { RuntimeError, UsageError } from './usage-error.js';

const commands: readonly Command[] = [serveCommand, docsCommand, catalogCommand];

const mainHelp = `Usage: faultline <command> [options]

One error contract for an HTTP API: the catalog of error codes, its reference
docs, and a reference API that produces each error.

Commands:
${commands.map((command) => `  ${command.name.padEnd(10)} ${command.summary}`).join('\n')}

Options:
  -h, --help     Show this help; "faultline <command> --help" for a command's.

Exit status: 0 on success, 1 when the work fails, 2 for a mistake in the
command line.
`;

/**
 * Runs `faultline` with the arguments after the program name and resolves to
 * the exit status. Errors are printed as one line on stderr.
 */
export async function runCli(args: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    const topic = name === 'help' ? commands.find((command) => command.name === rest[0]) : undefined;
    (name === undefined ? io.stderr : io.stdout).write(topic?.help ?? mainHelp);
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (command === undefined) {
    io.stderr.write(
      `faultline: unknown command "${name}"; the commands are ${commands.map((c) => c.name).join(', ')} (see faultline --help)\n`,
    );
    return 2;
  }
  if (rest.includes('-h') || rest.includes('--help')) {
    io.stdout.write(command.help);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`faultline ${command.name}: ${error.message} (see faultline ${command.name} --help)\n`);
      return 2;
    }
    const message = error instanceof RuntimeError || error instanceof Error ? error.message : String(error);
    io.stderr.write(`faultline ${command.name}: ${message}\n`);
    return 1;
  }
}
