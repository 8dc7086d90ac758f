/**
 * A program the tests need is not installed. The message is the one line that
 * says how to install it; there is no stack trace, which would only point at
 * the test set-up and push that line out of sight.
 *
 * @example
 * throw new MissingServiceError('No redis-server: install it with "apt-get install -y redis-server".');
 */
export class MissingServiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingServiceError';
    this.stack = `${this.name}: ${message}`;
  }
}
