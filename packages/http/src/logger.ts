/**
 * What the contract writes to a log: pino's (and Fastify's) calling
 * convention, an object of fields then a message. `console` does not fit as
 * is; `{ error: (fields, message) => console.error(message, fields), ... }` does.
 */
export interface ContractLogger {
  error(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}
