/** A mistake in how the command was called: the CLI prints its message and exits with status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Anything that went wrong while doing the work: the CLI prints its message and exits with status 1. */
export class RuntimeError extends Error {
  override readonly name = 'RuntimeError';
}
