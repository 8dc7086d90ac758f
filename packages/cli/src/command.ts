/** Where a command writes. Tests and the bin pass the process streams. */
export interface Io {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** The directory relative paths are read from; `process.cwd()` in the bin. */
  readonly cwd: string;
}

/** One subcommand of `faultline`. */
export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The full `--help` text. */
  readonly help: string;
  /** Runs with the arguments after the command name; resolves to the exit status. Throws UsageError or RuntimeError. */
  run(args: readonly string[], io: Io): Promise<number>;
}
